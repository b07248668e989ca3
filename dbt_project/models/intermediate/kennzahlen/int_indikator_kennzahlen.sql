-- How each indicator of the catalogue (seed `indikatoren`) is computed: the measure of
-- int_kennzahlen that is its numerator and the one that is its denominator (NULL for counts).
-- value = numerator / denominator * faktor (seed), or the numerator for counts.
{%- set zuordnung = [
    ('einwohner', 'einwohner', none),
    ('anteil_u6', 'einwohner_u6', 'einwohner'),
    ('anteil_u18', 'einwohner_u18', 'einwohner'),
    ('anteil_65plus', 'einwohner_65plus', 'einwohner'),
    ('anteil_80plus', 'einwohner_80plus', 'einwohner'),
    ('altenquotient', 'einwohner_65plus', 'einwohner_20_64'),
    ('anteil_nichtdeutsch', 'einwohner_nichtdeutsch', 'einwohner'),
    ('alleinerziehende_haushalte', 'haushalte_alleinerziehend', 'haushalte_mit_kindern'),
    ('alleinlebende_65plus', 'alleinlebende_65plus', 'einwohner_65plus'),
    ('wanderungsvolumen', 'wanderungsvolumen_4q', 'einwohner'),
    ('wanderungssaldo', 'wanderungssaldo_4q', 'einwohner'),
    ('bevoelkerungsentwicklung_2j', 'einwohner_veraenderung_8q', 'einwohner_vor_8q'),
    ('ersatzquote', 'einwohner_15_24', 'einwohner_55_64'),
    ('anteil_55_64', 'einwohner_55_64', 'einwohner_15_64'),
    ('sgb2_quote', 'sgb2_regelleistungsberechtigte', 'einwohner_u65'),
    ('kinderarmut', 'sgb2_kinder_u15', 'einwohner_u15'),
    ('alleinerziehende_bg', 'sgb2_alleinerziehende_bg', 'sgb2_bedarfsgemeinschaften'),
    ('arbeitslosenanteil', 'arbeitslose', 'einwohner_15_64'),
    ('langzeitarbeitslose', 'langzeitarbeitslose', 'einwohner_15_64'),
    ('grundsicherung_alter', 'grundsicherung_65plus', 'einwohner_65plus'),
    ('kita_versorgung_u3', 'kita_plaetze_u3', 'einwohner_u3'),
    ('kita_versorgung_ue3', 'kita_plaetze_ue3', 'einwohner_3_5'),
    ('hze_quote', 'hze_faelle', 'einwohner_u21'),
    ('seu_uebergewicht', 'seu_uebergewicht', 'seu_bmi_erhoben'),
    ('seu_sprachfoerderbedarf', 'seu_sprachfoerderbedarf', 'seu_sprache_erhoben'),
    ('seu_masern', 'seu_masern_2', 'seu_impfausweis'),
    ('seu_frueherkennung', 'seu_u_vollstaendig', 'seu_fruehheft'),
    ('kita_karies', 'zahn_karies', 'zahn_untersucht'),
    ('hilfe_zur_pflege', 'hzp_empfaenger', 'einwohner_65plus'),
    ('pflegeheimplaetze_80plus', 'pflegeheim_plaetze', 'einwohner_80plus'),
    ('tagespflegeplaetze_80plus', 'tagespflege_plaetze', 'einwohner_80plus'),
    ('alleinlebende_80plus', 'alleinlebende_80plus', 'einwohner_80plus'),
    ('nahversorgung_500m', 'einwohner_500m_lebensmittel', 'einwohner_mit_hauskoordinate'),
    ('oepnv_300m', 'einwohner_300m_haltestelle', 'einwohner_mit_hauskoordinate'),
    ('hausaerzte_je_10000', 'hausaerzte', 'einwohner'),
    ('apotheken_je_10000', 'apotheken', 'einwohner')] %}
{%- for indikator, zaehler, nenner in zuordnung %}
select
    cast('{{ indikator }}' as {{ dbt.type_string() }}) as indikator_id,
    cast('{{ zaehler }}' as {{ dbt.type_string() }}) as zaehler_kennzahl,
    cast({{ "'" ~ nenner ~ "'" if nenner else 'null' }} as {{ dbt.type_string() }}) as nenner_kennzahl
{% if not loop.last %}union all{% endif %}
{%- endfor %}
