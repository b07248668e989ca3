-- The municipalities of the district.
select
    ags,
    name,
    art,
    cast('{{ var("kreis_schluessel") }}' as {{ dbt.type_string() }}) as kreis_schluessel
from {{ ref('kommunen') }}
