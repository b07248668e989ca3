{#-
    Generic tests for published tables in long form (one row per area and cell), see sperrung.sql.

    sperrung_nicht_rueckrechenbar: no suppressed cell can be recovered from its parent's total, i.e. for
    every group (`gruppe`, e.g. indikator_id + stichtag) and every parent cell
      * a published parent (status ok/geschaetzt) never has exactly one suppressed child, and
      * a suppressed parent always has at least one suppressed child.
    These two local conditions are sufficient for the linear system "parent = sum of its children" to
    leave every suppressed cell undetermined (each lies on a cycle of suppressed cells with net zero
    effect on every published total). `eltern` is an SQL expression giving a row's parent key.
    Returns one row per violating parent.

    sperrung_zellen_leer: a suppressed cell shows no number (zaehler, nenner, wert NULL) and has a reason.
-#}
{% test sperrung_nicht_rueckrechenbar(model, gruppe=['indikator_id', 'stichtag'], eltern='eltern_id') %}
{{ sperrung_rueckrechenbare_zellen(model, gruppe, eltern) }}
{% endtest %}


{#- The check behind the test as a query, so that singular tests can run it on a table they first bring
    into long form (e.g. the age bands of mart_jugendhilfe). `relation` needs columns <gruppe>,
    gebiet_id, status and whatever `eltern` refers to. -#}
{% macro sperrung_rueckrechenbare_zellen(relation, gruppe, eltern) %}
with zellen as (
    select
        {% for c in gruppe %}{{ c }}, {% endfor %}
        gebiet_id,
        {{ eltern }} as eltern_schluessel,
        status
    from {{ relation }}
),

kinder as (
    select
        {% for c in gruppe %}{{ c }}, {% endfor %}
        eltern_schluessel,
        sum(case when status = 'gesperrt' then 1 else 0 end) as kinder_gesperrt,
        count(*) as kinder
    from zellen
    where eltern_schluessel is not null
    group by {% for c in gruppe %}{{ c }}, {% endfor %}eltern_schluessel
)

select
    {% for c in gruppe %}k.{{ c }}, {% endfor %}
    k.eltern_schluessel,
    p.status as eltern_status,
    k.kinder_gesperrt,
    k.kinder,
    case when p.status = 'gesperrt'
         then 'gesperrter Elternwert ist die Summe veröffentlichter Kinder'
         else 'genau ein gesperrtes Kind: aus dem Elternwert rückrechenbar' end as befund
from kinder as k
inner join zellen as p
    on {% for c in gruppe %}p.{{ c }} = k.{{ c }} and {% endfor %}p.gebiet_id = k.eltern_schluessel
where (p.status in ('ok', 'geschaetzt') and k.kinder_gesperrt = 1)
   or (p.status = 'gesperrt' and k.kinder_gesperrt = 0)
{% endmacro %}


{% test sperrung_zellen_leer(model, zahlen=['zaehler', 'nenner', 'wert'], status='status', grund='status_grund') %}
select *
from {{ model }}
where {{ status }} = 'gesperrt'
  and ({{ grund }} is null
       {%- for z in zahlen %} or {{ z }} is not null{% endfor %})
{% endtest %}
