-- The cell rule of DESIGN.md section 5 holds for every published cell of mart_indikatoren:
--  * no published count of persons between 0 and 3 (1 or 2; fractional estimates included),
--  * no published rate on a denominator below the indicator's minimum,
--  * a suppressed cell shows no number and gives a reason.
-- Returns the violating cells with the broken rule.
{%- set ohne_personenbezug = sperrung_zaehler_ohne_personenbezug() %}
with zellen as (
    select
        m.*,
        i.mindestnenner,
        i.einheit as katalog_einheit,
        case when m.indikator_id in (
            {%- for i in ohne_personenbezug %}'{{ i }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        ) then false else true end as personenzahl
    from {{ ref('mart_indikatoren') }} as m
    inner join {{ ref('dim_indikator') }} as i
        on i.indikator_id = m.indikator_id
)
select
    *,
    case
        when status = 'gesperrt' and (zaehler is not null or nenner is not null or wert is not null)
            then 'gesperrte Zelle zeigt eine Zahl'
        when status = 'gesperrt' and status_grund is null
            then 'gesperrte Zelle ohne Grund'
        when personenzahl and zaehler > 0 and zaehler < 3
            then 'Fallzahl 1 bis 2 veröffentlicht'
        when katalog_einheit <> 'Anzahl' and wert is not null and (nenner is null or nenner < mindestnenner)
            then 'Quote auf zu kleinem Nenner veröffentlicht'
    end as verstoss
from zellen
where (status = 'gesperrt' and (zaehler is not null or nenner is not null or wert is not null or status_grund is null))
   or (status <> 'gesperrt' and personenzahl and zaehler > 0 and zaehler < 3)
   or (status <> 'gesperrt' and katalog_einheit <> 'Anzahl' and wert is not null
       and (nenner is null or nenner < mindestnenner))
