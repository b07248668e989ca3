{#-
    The Handlungsräume over time: per current Wohnplatz and report year (int_planung_berichtsstichtage,
    dbt var `planung`, default every year's Q4) the classes and the need-for-action flag of
    mart_sozialindex, since when the area is flagged without interruption, the three indicators that
    drive the flag, and for an area that left the list the reason.

    Spell logic: only TRUE counts as "on the list". A report year whose flag is FALSE or unknown (NULL:
    not indexed, or dynamics unknown where the rule needs them) interrupts the spell, because that year's
    report did not list the area; `handlungsbedarf_seit` is the first report year of the current
    uninterrupted run of flagged report years.

    Drivers: the flag comes from the status alone when the area's status class satisfies a rule with
    dynamik "*" (default: niedrig, sehr niedrig); then the drivers are the status indicators with the
    highest z-values of the status. Otherwise (default: mittel with negative dynamics) the flag comes from
    the dynamics, and the drivers are the status indicators with the highest z-values of their change.
    Both rankings are mart_sozialindex_komponenten's (rang_status, rang_dynamik).
-#}
{%- set einstellungen = sozialindex_einstellungen() -%}
{%- set regeln = einstellungen['handlungsbedarf'] -%}
{%- set quartale = einstellungen['dynamik_quartale'] | int -%}
{#- status classes that flag an area whatever its dynamics; '*' = every class -#}
{%- set status_allein = [] -%}
{%- for r in regeln if r['dynamik'] == '*' -%}{%- do status_allein.append(r['status']) -%}{%- endfor -%}
{#- German number format for the texts (decimal comma); `@` is replaced by the expression -#}
{%- set zahl1 = "replace(printf('%.1f', @), '.', ',')" -%}
{%- set zahl2 = "replace(printf('%.2f', @), '.', ',')" -%}
{%- set zahl1v = "replace(printf('%+.1f', @), '.', ',')" -%}
{#- the change of a percentage is in percentage points -#}
{%- set einheit_aenderung = "case @ when '%' then 'Prozentpunkte' else @ end" -%}

with

berichtsstichtage as (
    select * from {{ ref('int_planung_berichtsstichtage') }}
),

berichte as (
    select
        b.berichtsjahr,
        s.*,
        case
            when not coalesce(s.handlungsbedarf, false) then null
            {%- if '*' in status_allein %}
            else 'status'
            {%- else %}
            when s.status_klasse in ({% for k in status_allein %}'{{ k }}'{% if not loop.last %}, {% endif %}{% endfor %}{% if not status_allein %}null{% endif %}) then 'status'
            else 'dynamik'
            {%- endif %}
        end as treiber_art
    from {{ ref('mart_sozialindex') }} as s
    inner join berichtsstichtage as b
        on b.stichtag = s.stichtag
),

komponenten as (
    select k.*, i.einheit
    from {{ ref('mart_sozialindex_komponenten') }} as k
    inner join berichtsstichtage as b
        on b.stichtag = k.stichtag
    inner join {{ ref('dim_indikator') }} as i
        on i.indikator_id = k.indikator_id
    where k.rolle = 'status'
),

treiber as (
    select
        i.gebiet_id,
        i.stichtag,
        k.indikator_id,
        k.indikator_name,
        k.wert,
        k.aenderung,
        case i.treiber_art when 'status' then k.z_status else k.z_dynamik end as z,
        case i.treiber_art when 'status' then k.rang_status else k.rang_dynamik end as rang,
        case i.treiber_art
            when 'status' then
                {{ dbt.concat(["k.indikator_name", "' '", (zahl1 | replace('@', 'k.wert')), "' '", "k.einheit",
                               "' (z = '", (zahl2 | replace('@', 'k.z_status')), "')'"]) }}
            else
                {{ dbt.concat(["k.indikator_name", "' '", (zahl1v | replace('@', 'k.aenderung')), "' '", einheit_aenderung | replace('@', 'k.einheit'),
                               "' in " ~ quartale ~ " Quartalen (z = '", (zahl2 | replace('@', 'k.z_dynamik')), "')'"]) }}
        end as text
    from berichte as i
    inner join komponenten as k
        on k.gebiet_id = i.gebiet_id
        and k.stichtag = i.stichtag
    where i.treiber_art is not null
      and case i.treiber_art when 'status' then k.rang_status else k.rang_dynamik end <= 3
),

treiber_breit as (
    select
        gebiet_id,
        stichtag,
        {%- for n in [1, 2, 3] %}
        max(case when rang = {{ n }} then indikator_id end) as treiber_{{ n }}_id,
        max(case when rang = {{ n }} then indikator_name end) as treiber_{{ n }}_name,
        max(case when rang = {{ n }} then wert end) as treiber_{{ n }}_wert,
        max(case when rang = {{ n }} then aenderung end) as treiber_{{ n }}_aenderung,
        max(case when rang = {{ n }} then z end) as treiber_{{ n }}_z,
        {%- endfor %}
        {{ dbt.listagg('text', "'; '", 'order by rang') }} as treiber
    from treiber
    group by gebiet_id, stichtag
),

folge as (
    select
        i.*,
        coalesce(i.handlungsbedarf, false) as markiert,
        lag(coalesce(i.handlungsbedarf, false)) over w as vorher_markiert,
        lag(i.stichtag) over w as vorher_stichtag,
        lag(i.berichtsjahr) over w as vorher_berichtsjahr,
        lag(i.status_klasse) over w as vorher_status_klasse,
        lag(i.dynamik_klasse) over w as vorher_dynamik_klasse,
        lag(i.treiber_art) over w as vorher_treiber_art,
        -- a new flagged spell starts after every report year that is not flagged
        sum(case when coalesce(i.handlungsbedarf, false) then 0 else 1 end) over (w rows between unbounded preceding and current row) as markiert_abschnitt,
        -- a new unflagged spell starts after every flagged report year
        sum(case when coalesce(i.handlungsbedarf, false) then 1 else 0 end) over (w rows between unbounded preceding and current row) as unmarkiert_abschnitt
    from berichte as i
    window w as (partition by i.gebiet_id order by i.stichtag)
),

bewegung as (
    select
        f.*,
        case
            when f.vorher_stichtag is null then 'erstes_berichtsjahr'
            when f.markiert and f.vorher_markiert then 'weiterhin'
            when f.markiert then 'neu'
            when f.vorher_markiert then 'verlassen'
            else 'nicht_markiert'
        end as bewegung
    from folge as f
),

-- for an area that left the list: the status indicators whose driving z-value fell since the last report
gesunken as (
    select
        b.gebiet_id,
        b.stichtag,
        {{ dbt.listagg(
            dbt.concat(["jetzt.indikator_name", "' '",
                        "case b.vorher_treiber_art when 'dynamik' then " ~ (zahl1v | replace('@', 'vorher.aenderung')) ~ " else " ~ (zahl1 | replace('@', 'vorher.wert')) ~ " end",
                        "' → '",
                        "case b.vorher_treiber_art when 'dynamik' then " ~ (zahl1v | replace('@', 'jetzt.aenderung')) ~ " else " ~ (zahl1 | replace('@', 'jetzt.wert')) ~ " end",
                        "' '",
                        "case b.vorher_treiber_art when 'dynamik' then " ~ (einheit_aenderung | replace('@', 'jetzt.einheit')) ~ " || ' Veränderung in " ~ quartale ~ " Quartalen' else jetzt.einheit end",
                        "' (z '",
                        "case b.vorher_treiber_art when 'dynamik' then " ~ (zahl2 | replace('@', 'vorher.z_dynamik')) ~ " else " ~ (zahl2 | replace('@', 'vorher.z_status')) ~ " end",
                        "' → '",
                        "case b.vorher_treiber_art when 'dynamik' then " ~ (zahl2 | replace('@', 'jetzt.z_dynamik')) ~ " else " ~ (zahl2 | replace('@', 'jetzt.z_status')) ~ " end",
                        "')'"]),
            "'; '", 'order by jetzt.indikator_id') }} as text
    from bewegung as b
    inner join komponenten as jetzt
        on jetzt.gebiet_id = b.gebiet_id
        and jetzt.stichtag = b.stichtag
    inner join komponenten as vorher
        on vorher.gebiet_id = b.gebiet_id
        and vorher.stichtag = b.vorher_stichtag
        and vorher.indikator_id = jetzt.indikator_id
    where b.bewegung = 'verlassen'
      and case b.vorher_treiber_art when 'dynamik' then jetzt.z_dynamik - vorher.z_dynamik
                                     else jetzt.z_status - vorher.z_status end < 0
    group by b.gebiet_id, b.stichtag
),

ergebnis as (
    select
        b.*,
        case when b.markiert then
            min(case when b.markiert then b.berichtsjahr end)
                over (partition by b.gebiet_id, b.markiert_abschnitt)
        end as handlungsbedarf_seit,
        case when b.markiert then
            count(case when b.markiert then 1 end)
                over (partition by b.gebiet_id, b.markiert_abschnitt order by b.stichtag rows between unbounded preceding and current row)
        end as berichtsjahre_in_folge,
        case when not b.markiert then
            max(case when b.bewegung = 'verlassen' then b.berichtsjahr end)
                over (partition by b.gebiet_id, b.unmarkiert_abschnitt)
        end as verlassen_im_jahr
    from bewegung as b
)

select
    e.gebiet_id,
    e.gebiet_name,
    e.kommune_ags,
    e.kommune_name,
    e.berichtsjahr,
    e.stichtag,
    e.einwohner,
    e.status_indexiert,
    e.grund_nicht_indexiert,
    e.status_index,
    e.status_klasse,
    e.dynamik_index,
    e.dynamik_klasse,
    e.grund_ohne_dynamik,
    e.handlungsbedarf,
    e.handlungsbedarf_seit,
    e.berichtsjahre_in_folge,
    e.bewegung,
    e.treiber_art,
    {%- for n in [1, 2, 3] %}
    t.treiber_{{ n }}_id,
    t.treiber_{{ n }}_name,
    t.treiber_{{ n }}_wert,
    t.treiber_{{ n }}_aenderung,
    t.treiber_{{ n }}_z,
    {%- endfor %}
    t.treiber,
    e.vorher_berichtsjahr as vorbericht_jahr,
    e.vorher_status_klasse as vorbericht_status_klasse,
    e.vorher_dynamik_klasse as vorbericht_dynamik_klasse,
    case when e.bewegung = 'verlassen' then
        case
            when not e.status_indexiert then
                {{ dbt.concat(["'nicht indexiert: '", "coalesce(e.grund_nicht_indexiert, 'ohne Angabe')"]) }}
            when e.handlungsbedarf is null then
                {{ dbt.concat(["'Handlungsbedarf unbestimmt (Statusklasse '", "e.status_klasse", "', Dynamik unbekannt): '",
                               "coalesce(e.grund_ohne_dynamik, 'ohne Angabe')"]) }}
            else
                {{ dbt.concat([
                    "concat_ws('; ', "
                    ~ "case when e.status_klasse is distinct from e.vorher_status_klasse then "
                    ~ dbt.concat(["'Statusklasse '", "coalesce(e.vorher_status_klasse, 'unbekannt')", "' → '", "e.status_klasse"]) ~ " end, "
                    ~ "case when e.dynamik_klasse is distinct from e.vorher_dynamik_klasse then "
                    ~ dbt.concat(["'Dynamikklasse '", "coalesce(e.vorher_dynamik_klasse, 'unbekannt')", "' → '", "coalesce(e.dynamik_klasse, 'unbekannt')"]) ~ " end, "
                    ~ "case when g.text is not null then " ~ dbt.concat(["'gesunken: '", "g.text"]) ~ " end)"]) }}
        end
    end as verlassen_grund,
    e.verlassen_im_jahr
from ergebnis as e
left join treiber_breit as t
    on t.gebiet_id = e.gebiet_id
    and t.stichtag = e.stichtag
left join gesunken as g
    on g.gebiet_id = e.gebiet_id
    and g.stichtag = e.stichtag
