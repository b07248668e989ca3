{#-
    The Sozialindex per current Wohnplatz and Stichtag (Berlin MSS method, see macros/sozialindex/):
    the inputs and their z-values (wide, one block per configured indicator), status sum, standardised
    status index and class, the same for the dynamics, and the need-for-action flag from the configured
    rule; for an area that is not indexed the reason. Built on mart_sozialindex_komponenten, which has
    the same numbers in long form (and the ranking of the indicators that drive a class).
-#}
{%- set einstellungen = sozialindex_einstellungen() -%}
{%- set indikatoren = sozialindex_indikatoren(einstellungen) -%}

with

komponenten as (
    select * from {{ ref('mart_sozialindex_komponenten') }}
),

index_je_gebiet as (
    {{ sozialindex_gebiete('komponenten', einstellungen['status_klassen'], einstellungen['dynamik_klassen'],
                           einstellungen['handlungsbedarf']) }}
),

eingaben as (
    select
        gebiet_id,
        stichtag,
        max(gebiet_name) as gebiet_name,
        max(kommune_ags) as kommune_ags,
        max(kommune_name) as kommune_name
        {%- for i in indikatoren %}
        {%- set id = i['indikator_id'] %},
        max(case when indikator_id = '{{ id }}' then wert end) as {{ id }},
        max(case when indikator_id = '{{ id }}' then aenderung end) as {{ id }}_aenderung,
        max(case when indikator_id = '{{ id }}' then z_status end) as {{ id }}_z,
        max(case when indikator_id = '{{ id }}' then z_dynamik end) as {{ id }}_z_dynamik
        {%- endfor %}
    from komponenten
    group by gebiet_id, stichtag
)

select
    e.gebiet_id,
    e.gebiet_name,
    e.kommune_ags,
    e.kommune_name,
    e.stichtag,
    i.einwohner,
    i.status_indexiert,
    i.grund_nicht_indexiert,
    {%- for i in indikatoren %}
    {%- set id = i['indikator_id'] %}
    e.{{ id }},
    e.{{ id }}_aenderung,
    e.{{ id }}_z,
    e.{{ id }}_z_dynamik,
    {%- endfor %}
    i.status_summe,
    i.status_index,
    i.status_klasse,
    i.dynamik_indexiert,
    i.grund_ohne_dynamik,
    i.dynamik_summe,
    i.dynamik_index,
    i.dynamik_klasse,
    i.handlungsbedarf,
    i.gebiete_im_statusindex,
    i.gebiete_im_dynamikindex
from eingaben as e
inner join index_je_gebiet as i
    on i.gebiet_id = e.gebiet_id
    and i.stichtag = e.stichtag
