-- Which raw tables lose rows, and why: a starting point for fixing a source.
-- Compile with `dbt compile --select quarantine_by_reason` and run the SQL in target/compiled.
with

quarantined as (
    select * from {{ ref('quarantined_rows') }}
),

reconciliation as (
    select * from {{ ref('source_reconciliation') }}
),

reasons as (
    select
        source_table,
        quarantine_action,
        reasons,
        count(*) as affected_rows
    from quarantined
    group by source_table, quarantine_action, reasons
),

final as (
    select
        reasons.source_table,
        reasons.quarantine_action,
        reasons.reasons,
        reasons.affected_rows,
        cast(reasons.affected_rows as {{ type_double() }})
        / nullif(reconciliation.raw_rows, 0) as share_of_raw_rows
    from reasons
    inner join reconciliation
        on reasons.source_table = reconciliation.source_table
)

select * from final
order by source_table asc, affected_rows desc
