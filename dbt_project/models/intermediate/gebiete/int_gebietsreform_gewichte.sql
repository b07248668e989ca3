-- Population weights that carry a figure delivered on an older Wohnplatz scheme onto TODAY's scheme.
-- Each crosswalk delivery leads from the Gebietsstand before it to its own; successive reforms are
-- chained (weights multiplied), so any old scheme maps straight onto the current one.
with recursive staende as (
    select
        gebietsstand,
        lag(gebietsstand) over (order by gebietsstand) as vorheriger_gebietsstand
    from (select distinct gebietsstand from {{ ref('stg_wohnplatz_grenzen') }}) as s
),

schritte as (
    select
        st.vorheriger_gebietsstand as gebietsstand_alt,
        r.wohnplatz_id_alt,
        r.gebietsstand_neu,
        r.wohnplatz_id_neu,
        r.anteil_bevoelkerung as gewicht,
        r.lieferung_id
    from {{ ref('stg_gebietsreform') }} as r
    inner join staende as st on st.gebietsstand = r.gebietsstand_neu
    where st.vorheriger_gebietsstand is not null
),

ketten as (
    select
        gebietsstand_alt,
        wohnplatz_id_alt,
        gebietsstand_neu,
        wohnplatz_id_neu,
        gewicht,
        cast(lieferung_id as {{ dbt.type_string() }}) as lieferung_ids
    from schritte
    union all
    select
        k.gebietsstand_alt,
        k.wohnplatz_id_alt,
        s.gebietsstand_neu,
        s.wohnplatz_id_neu,
        k.gewicht * s.gewicht,
        {{ dbt.concat(["k.lieferung_ids", "','", "s.lieferung_id"]) }}
    from ketten as k
    inner join schritte as s
        on s.gebietsstand_alt = k.gebietsstand_neu
        and s.wohnplatz_id_alt = k.wohnplatz_id_neu
),

aktuell as (
    select max(gebietsstand) as gebietsstand from staende
)

select
    k.gebietsstand_alt,
    k.wohnplatz_id_alt,
    k.gebietsstand_neu,
    k.wohnplatz_id_neu,
    sum(k.gewicht) as gewicht,
    {{ id_liste_bereinigt(dbt.listagg('k.lieferung_ids', "','")) }} as lieferung_ids
from ketten as k
inner join aktuell as a on a.gebietsstand = k.gebietsstand_neu
where k.gewicht > 0
group by k.gebietsstand_alt, k.wohnplatz_id_alt, k.gebietsstand_neu, k.wohnplatz_id_neu
