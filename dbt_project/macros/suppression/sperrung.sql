{#-
    Statistical disclosure control of published cells (DESIGN.md section 5) as one reusable query macro.
    Returns a complete SELECT (with its own WITH), to be used as a CTE body:

        veroeffentlicht as ( {{ sperrung('zellen', gruppe=['indikator_id', 'stichtag']) }} )

    Input relation `eingabe`, one row per cell:
      ebene            level of the cell, one of `ebenen` (top-down, default kreis > kommune > wohnplatz)
      gebiet_id        key of the area
      eltern_id        key of the area one level up whose total contains this cell (NULL at the top)
      <gruppe>         the columns that identify one table (default indikator_id, stichtag): cells of one
                       group and one parent add up to the parent's cell
      zaehler, nenner, wert, status, status_grund   as in fct_indikator
      mindestnenner    smallest denominator a published rate may have; NULL for counts
      personenzahl     TRUE when zaehler counts persons (or cases of persons), so the 1-2 rule applies
      <weitere_spalten> passed through unchanged
    Output: ebene, gebiet_id, eltern_id, <gruppe>, <weitere_spalten>, zaehler, nenner, wert, status,
    status_grund; a cell that is not complete (status other than ok/geschaetzt/gesperrt, i.e. 'fehlt')
    keeps its status but shows no numbers; a suppressed cell has status 'gesperrt', zaehler, nenner and
    wert NULL, and status_grund one of
      quelle_maskiert             masked by the source (stays suppressed; a reason given by the source is kept)
      fallzahl_1_2                a count of persons between 0 and 3 exclusive (1 or 2; estimates carried
                                  through the area crosswalk may be fractional)
      nenner_unter_mindestnenner  a rate on fewer than `mindestnenner` persons
      sekundaersperrung           suppressed so that a primary cell cannot be recovered from its parent

    Secondary suppression, level by level from the top, within each group and parent:
      * parent published and exactly one child suppressed -> also suppress the child with the next
        smallest zaehler (ties: smallest gebiet_id), so that parent minus published children only gives
        the SUM of two unknown cells;
      * parent suppressed (primary or secondary) and none of its children -> suppress its smallest child,
        so that the parent cannot be rebuilt as the sum of its children (and then used one level up).
    With these two rules every suppressed cell lies on a zero-sum cycle of suppressed cells (two siblings,
    or parent + child + sibling parent + its child), so no linear combination of published totals
    isolates it; tests/test_dbt_marts_sperrung.py checks this by rank computation on the built marts.
    Only cells with status 'ok'/'geschaetzt' count as published and can be chosen; 'fehlt' cells carry no
    value and give no protection.
    Counts are assumed additive along the hierarchy (children sum to the parent), which is how
    fct_indikator builds its totals.
-#}
{% macro sperrung(eingabe, gruppe=['indikator_id', 'stichtag'], weitere_spalten=[], ebenen=['kreis', 'kommune', 'wohnplatz']) %}
{%- set g = gruppe -%}
with
sp_primaer as (
    select
        e.*,
        case
            when e.status = 'gesperrt' then coalesce(e.status_grund, 'quelle_maskiert')
            when coalesce(e.status, '') not in ('ok', 'geschaetzt') then null
            when e.personenzahl and e.zaehler > 0 and e.zaehler < 3 then 'fallzahl_1_2'
            when e.mindestnenner is not null and (e.nenner is null or e.nenner < e.mindestnenner)
                then 'nenner_unter_mindestnenner'
        end as sp_grund,
        case when e.status in ('ok', 'geschaetzt') then 1 else 0 end as sp_mit_wert
    from {{ eingabe }} as e
),

-- state of the top level: no parent, nothing to add
sp_zustand_0 as (
    select
        {% for c in g %}{{ c }}, {% endfor %}
        gebiet_id,
        case when sp_grund is not null then 1 else 0 end as gesperrt,
        case when sp_grund is null and sp_mit_wert = 1 then 1 else 0 end as offen
    from sp_primaer
    where ebene = '{{ ebenen[0] }}'
)
{%- for ebene in ebenen[1:] %}
{%- set i = loop.index %}
,

-- level {{ ebene }}: how many children of each parent are suppressed already
sp_zaehlung_{{ i }} as (
    select
        {% for c in g %}{{ c }}, {% endfor %}
        eltern_id,
        sum(case when sp_grund is not null then 1 else 0 end) as n_gesperrt
    from sp_primaer
    where ebene = '{{ ebene }}'
    group by {% for c in g %}{{ c }}, {% endfor %}eltern_id
),

sp_bedarf_{{ i }} as (
    select
        {% for c in g %}z.{{ c }}, {% endfor %}
        z.eltern_id,
        case
            when p.offen = 1 and z.n_gesperrt = 1 then 1
            when p.gesperrt = 1 and z.n_gesperrt = 0 then 1
            else 0
        end as bedarf
    from sp_zaehlung_{{ i }} as z
    inner join sp_zustand_{{ i - 1 }} as p
        on {% for c in g %}p.{{ c }} = z.{{ c }} and {% endfor %}p.gebiet_id = z.eltern_id
),

sp_kandidaten_{{ i }} as (
    select
        {% for c in g %}{{ c }}, {% endfor %}
        eltern_id,
        gebiet_id,
        row_number() over (
            partition by {% for c in g %}{{ c }}, {% endfor %}eltern_id
            order by case when zaehler is null then 1 else 0 end, zaehler, gebiet_id
        ) as rang
    from sp_primaer
    where ebene = '{{ ebene }}'
      and sp_grund is null
      and sp_mit_wert = 1
),

sp_sekundaer_{{ i }} as (
    select
        {% for c in g %}k.{{ c }}, {% endfor %}
        k.gebiet_id,
        '{{ ebene }}' as ebene
    from sp_kandidaten_{{ i }} as k
    inner join sp_bedarf_{{ i }} as b
        on {% for c in g %}b.{{ c }} = k.{{ c }} and {% endfor %}b.eltern_id = k.eltern_id
    where k.rang <= b.bedarf
),

sp_zustand_{{ i }} as (
    select
        {% for c in g %}p.{{ c }}, {% endfor %}
        p.gebiet_id,
        case when p.sp_grund is not null or s.gebiet_id is not null then 1 else 0 end as gesperrt,
        case when p.sp_grund is null and s.gebiet_id is null and p.sp_mit_wert = 1 then 1 else 0 end as offen
    from sp_primaer as p
    left join sp_sekundaer_{{ i }} as s
        on {% for c in g %}s.{{ c }} = p.{{ c }} and {% endfor %}s.gebiet_id = p.gebiet_id
    where p.ebene = '{{ ebene }}'
)
{%- endfor %}
,

sp_sekundaer as (
    {%- for ebene in ebenen[1:] %}
    select * from sp_sekundaer_{{ loop.index }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

sp_ergebnis as (
    select
        p.*,
        case when p.sp_grund is not null then p.sp_grund
             when s.gebiet_id is not null then 'sekundaersperrung'
        end as sp_sperrgrund
    from sp_primaer as p
    left join sp_sekundaer as s
        on {% for c in g %}s.{{ c }} = p.{{ c }} and {% endfor %}s.ebene = p.ebene
        and s.gebiet_id = p.gebiet_id
)

select
    ebene,
    gebiet_id,
    eltern_id,
    {% for c in g %}{{ c }},
    {% endfor %}
    {%- for c in weitere_spalten %}{{ c }},
    {% endfor -%}
    -- numbers only for complete, unsuppressed cells: a 'fehlt' cell (e.g. numerator delivered, denominator
    -- not) shows no partial numbers either, so the rule never has to judge an incomplete cell
    case when sp_sperrgrund is null and sp_mit_wert = 1 then zaehler end as zaehler,
    case when sp_sperrgrund is null and sp_mit_wert = 1 then nenner end as nenner,
    case when sp_sperrgrund is null and sp_mit_wert = 1 then wert end as wert,
    case when sp_sperrgrund is null then status else 'gesperrt' end as status,
    case when sp_sperrgrund is null then status_grund else sp_sperrgrund end as status_grund
from sp_ergebnis
{% endmacro %}


{#-
    Indicators whose numerator does not count persons (places, facilities, differences): the 1-2 rule
    does not apply to them, the minimum denominator does. Kept here, next to the rule, until the
    catalogue has a column for it (see the report of the marts layer).
-#}
{% macro sperrung_zaehler_ohne_personenbezug() %}
    {{ return([
        'kita_versorgung_u3', 'kita_versorgung_ue3',
        'pflegeheimplaetze_80plus', 'tagespflegeplaetze_80plus',
        'hausaerzte_je_10000', 'apotheken_je_10000',
        'wanderungssaldo', 'bevoelkerungsentwicklung_2j'
    ]) }}
{% endmacro %}
