-- A raw spelling must map to one standard value per domain, or staging joins would fan out.
select
    domain,
    raw_value,
    count(*) as mappings
from {{ ref('vocabulary_map') }}
group by domain, raw_value
having count(*) > 1
