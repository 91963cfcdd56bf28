-- quarantined_rows must list every rejected row and every row with a nulled value, once:
-- its raw values are looked up by file and fingerprint, and a miss would drop a row silently.
with

listed as (
    select
        source_table,
        count(*) as listed_rows
    from {{ ref('quarantined_rows') }}
    group by source_table
),

counted as (
    select
        source_table,
        quarantined_rows + value_nulled_rows as expected_rows
    from {{ ref('source_reconciliation') }}
)

select
    counted.source_table,
    counted.expected_rows,
    coalesce(listed.listed_rows, 0) as listed_rows
from counted
left join listed
    on counted.source_table = listed.source_table
where counted.expected_rows <> coalesce(listed.listed_rows, 0)
