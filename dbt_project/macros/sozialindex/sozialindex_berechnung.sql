{#-
    The Sozialindex after Berlin's "Monitoring Soziale Stadtentwicklung" (MSS) as two reusable query
    macros. Both return a complete SELECT (with its own WITH) to be used as a CTE body:

        komponenten as ( {{ sozialindex_komponenten('eingabe', 'gebiete', indikatoren, 300) }} ),
        index as ( {{ sozialindex_gebiete('komponenten', status_klassen, dynamik_klassen, regeln) }} )

    mart_sozialindex and the Berlin validation (models/validation/val_berlin_mss_2021.sql) call exactly
    these macros, so the reproduction of Berlin's published table tests the product's SQL.

    sozialindex_komponenten(komponenten, gebiete, indikatoren, mindest_einwohner)
      gebiete      relation: gebiet_id, stichtag, einwohner; one row per area and Stichtag to report.
      komponenten  relation: gebiet_id, stichtag, indikator_id,
                     wert            the indicator's value (NULL = unknown)
                     wert_status     why it is unknown ('gesperrt', 'fehlt', ...), shown in the reason
                     aenderung       change against the value `dynamik_quartale` earlier (NULL = unknown)
                     vorwert_status  status of that earlier value (NULL when there is no earlier row)
                     richtung        +1 if a high value means worse conditions, -1 if better (polarity),
                                     so that a high z-value always points to disadvantage
      indikatoren  list of {indikator_id, rolle}: rolle 'status' (summed into the index) or 'kontext'
      -> one row per area x Stichtag x indicator with z_status (z of the value) and z_dynamik (z of the
         change), the area's eligibility and the reason when it is not indexed. Only indexed areas take
         part in the standardisation; context indicators are standardised over the same areas.

    sozialindex_gebiete(komponenten, status_klassen, dynamik_klassen, regeln)
      -> one row per area and Stichtag: sums, standardised indices, classes, need-for-action flag.
-#}

{% macro sozialindex_komponenten(komponenten, gebiete, indikatoren, mindest_einwohner) %}
with
si_indikatoren as (
    {%- for i in indikatoren %}
    select '{{ i["indikator_id"] }}' as indikator_id, '{{ i["rolle"] }}' as rolle
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
),

-- every configured indicator for every area, so that a missing input row counts as unknown
si_raster as (
    select g.gebiet_id, g.stichtag, g.einwohner, i.indikator_id, i.rolle
    from {{ gebiete }} as g
    cross join si_indikatoren as i
),

si_werte as (
    select
        r.gebiet_id,
        r.stichtag,
        r.einwohner,
        r.indikator_id,
        r.rolle,
        k.wert,
        k.wert_status,
        k.aenderung,
        k.vorwert_status,
        coalesce(k.richtung, 1) as richtung
    from si_raster as r
    left join {{ komponenten }} as k
        on k.gebiet_id = r.gebiet_id
        and k.stichtag = r.stichtag
        and k.indikator_id = r.indikator_id
),

si_luecken as (
    select
        gebiet_id,
        stichtag,
        max(einwohner) as einwohner,
        sum(case when rolle = 'status' and wert is null then 1 else 0 end) as status_unbekannt,
        sum(case when rolle = 'status' and aenderung is null then 1 else 0 end) as aenderung_unbekannt,
        {{ dbt.listagg(
            "case when rolle = 'status' and wert is null then "
            ~ dbt.concat(["indikator_id", "' ('", "coalesce(wert_status, 'keine Daten')", "')'"]) ~ " end",
            "', '", "order by indikator_id") }} as status_luecken,
        {{ dbt.listagg(
            "case when rolle = 'status' and wert is not null and aenderung is null then "
            ~ dbt.concat(["indikator_id", "' (Vorwert '", "coalesce(vorwert_status, 'nicht vorhanden')", "')'"]) ~ " end",
            "', '", "order by indikator_id") }} as dynamik_luecken
    from si_werte
    group by gebiet_id, stichtag
),

si_zulassung as (
    select
        gebiet_id,
        stichtag,
        einwohner,
        case when einwohner >= {{ mindest_einwohner }} and status_unbekannt = 0 then true else false end
            as status_indexiert,
        case when einwohner >= {{ mindest_einwohner }} and status_unbekannt = 0 and aenderung_unbekannt = 0
            then true else false end as dynamik_indexiert,
        case
            when einwohner is null and status_unbekannt > 0
                then {{ dbt.concat(["'Einwohnerzahl unbekannt; Statusindikator ohne Wert: '", "status_luecken"]) }}
            when einwohner is null
                then 'Einwohnerzahl unbekannt'
            when einwohner < {{ mindest_einwohner }} and status_unbekannt > 0
                then {{ dbt.concat(["'weniger als " ~ mindest_einwohner ~ " Einwohner; Statusindikator ohne Wert: '", "status_luecken"]) }}
            when einwohner < {{ mindest_einwohner }}
                then 'weniger als {{ mindest_einwohner }} Einwohner'
            when status_unbekannt > 0
                then {{ dbt.concat(["'Statusindikator ohne Wert: '", "status_luecken"]) }}
        end as grund_nicht_indexiert,
        case
            when einwohner is null or einwohner < {{ mindest_einwohner }} or status_unbekannt > 0
                then 'nicht im Statusindex'
            when aenderung_unbekannt > 0
                then {{ dbt.concat(["'Veränderung unbekannt: '", "dynamik_luecken"]) }}
        end as grund_ohne_dynamik
    from si_luecken
)

select
    w.gebiet_id,
    w.stichtag,
    w.indikator_id,
    w.rolle,
    w.richtung,
    w.wert,
    w.wert_status,
    w.aenderung,
    w.vorwert_status,
    z.einwohner,
    z.status_indexiert,
    z.dynamik_indexiert,
    z.grund_nicht_indexiert,
    z.grund_ohne_dynamik,
    w.richtung * {{ sozialindex_z('w.wert', 'w.stichtag, w.indikator_id', 'z.status_indexiert', 'w.gebiet_id') }} as z_status,
    w.richtung * {{ sozialindex_z('w.aenderung', 'w.stichtag, w.indikator_id', 'z.dynamik_indexiert', 'w.gebiet_id') }} as z_dynamik
from si_werte as w
inner join si_zulassung as z
    on z.gebiet_id = w.gebiet_id
    and z.stichtag = w.stichtag
{% endmacro %}


{% macro sozialindex_gebiete(komponenten, status_klassen, dynamik_klassen, regeln) %}
with
si_summen as (
    select
        gebiet_id,
        stichtag,
        einwohner,
        status_indexiert,
        dynamik_indexiert,
        grund_nicht_indexiert,
        grund_ohne_dynamik,
        -- summed in a fixed order (by indicator): a hash aggregate would add them in arrival order
        case when status_indexiert
            then round(sum(case when rolle = 'status' then z_status end order by indikator_id), 12) end as status_summe,
        case when dynamik_indexiert
            then round(sum(case when rolle = 'status' then z_dynamik end order by indikator_id), 12) end as dynamik_summe
    from {{ komponenten }}
    group by gebiet_id, stichtag, einwohner, status_indexiert, dynamik_indexiert,
             grund_nicht_indexiert, grund_ohne_dynamik
),

si_indizes as (
    select
        si_summen.*,
        {{ sozialindex_z('status_summe', 'stichtag', 'status_indexiert') }} as status_index,
        {{ sozialindex_z('dynamik_summe', 'stichtag', 'dynamik_indexiert') }} as dynamik_index,
        sum(case when status_indexiert then 1 else 0 end) over (partition by stichtag) as gebiete_im_statusindex,
        sum(case when dynamik_indexiert then 1 else 0 end) over (partition by stichtag) as gebiete_im_dynamikindex
    from si_summen
),

si_klassen as (
    select
        si_indizes.*,
        {{ sozialindex_klasse('status_index', status_klassen) }} as status_klasse,
        {{ sozialindex_klasse('dynamik_index', dynamik_klassen) }} as dynamik_klasse
    from si_indizes
)

select
    si_klassen.*,
    {{ sozialindex_handlungsbedarf('status_klasse', 'dynamik_klasse', regeln) }} as handlungsbedarf
from si_klassen
{% endmacro %}
