{#- SQL of the totals comparisons (tests crosswalk_preserves_totals and totals_match): per group, the
    sum of `spalte` in `modell` must equal the sum of `vergleich_spalte` in `vergleich` (each side
    filtered by its `where`) within a relative tolerance; groups present on one side only fail too.
    With `nur_vollstaendige_gruppen` only groups whose compared values are all known are checked
    (a masked cell makes the carried-over areas it feeds unknown, so such a group cannot add up). -#}
{% macro summenvergleich_sql(modell, spalte, vergleich, vergleich_spalte, group_by, where, vergleich_where, toleranz, nur_vollstaendige_gruppen=false) %}
with links as (
    select {{ group_by | join(', ') }}, sum({{ spalte }}) as summe
    from {{ modell }}
    {% if where %}where {{ where }}{% endif %}
    group by {{ group_by | join(', ') }}
),
rechts as (
    select {{ group_by | join(', ') }}, sum({{ vergleich_spalte }}) as summe
    from {{ vergleich }}
    {% if vergleich_where %}where {{ vergleich_where }}{% endif %}
    group by {{ group_by | join(', ') }}
    {% if nur_vollstaendige_gruppen %}having count(*) = count({{ vergleich_spalte }}){% endif %}
)
select
    {% for col in group_by %}coalesce(l.{{ col }}, r.{{ col }}) as {{ col }}, {% endfor %}
    l.summe as summe_modell,
    r.summe as summe_vergleich
from links as l
{{ 'right' if nur_vollstaendige_gruppen else 'full outer' }} join rechts as r
    on {% for col in group_by %}l.{{ col }} = r.{{ col }}{% if not loop.last %} and {% endif %}{% endfor %}
where l.summe is null
   or r.summe is null
   or abs(l.summe - r.summe) > {{ toleranz }} * greatest(1, abs(r.summe))
{% endmacro %}
