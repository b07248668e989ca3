-- The age-band counts of mart_jugendhilfe follow the cell rule (no published 1 or 2, a suppressed band
-- shows no number) and no suppressed band can be recovered from its municipality's or the district's
-- total (same check as the generic test sperrung_nicht_rueckrechenbar, on the bands in long form).
{%- set baender = ['kinder_0_2', 'kinder_3_5', 'kinder_6_9', 'kinder_10_14', 'jugendliche_15_17', 'junge_volljaehrige_18_20'] %}
with lang as (
    {%- for b in baender %}
    select
        ebene,
        gebiet_id,
        kommune_ags,
        stichtag,
        '{{ b }}' as altersband,
        {{ b }} as anzahl,
        {{ b }}_status as status
    from {{ ref('mart_jugendhilfe') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

zellregel as (
    select
        altersband,
        stichtag,
        gebiet_id as eltern_schluessel,
        status as eltern_status,
        cast(null as integer) as kinder_gesperrt,
        cast(null as integer) as kinder,
        case when status = 'gesperrt' then 'gesperrtes Altersband zeigt eine Zahl'
             else 'Fallzahl 1 bis 2 veröffentlicht' end as befund
    from lang
    where (status = 'gesperrt' and anzahl is not null)
       or (status <> 'gesperrt' and anzahl > 0 and anzahl < 3)
       or status is null
),

rueckrechenbar as (
    {{ sperrung_rueckrechenbare_zellen(
        'lang', ['altersband', 'stichtag'],
        "case ebene when 'wohnplatz' then kommune_ags when 'kommune' then substr(kommune_ags, 1, 5) end") }}
)

select * from zellregel
union all
select * from rueckrechenbar
