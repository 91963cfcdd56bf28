-- Size and 12-month net revenue of every segment at every snapshot date of segment_membership_history.
-- Shares are of all customers and all 12-month revenue at that date (as in segment_summary), so they add up
-- to 1 within an exclusive family and overlap within behaviour and lifecycle_event.
-- Incremental: a run recomputes the date its build wrote into the history (its as_of_date) and any date of the
-- history this table lacks, and replaces those dates' rows; the other dates' slices of the history have not
-- changed. So the work is one slice a day, not the whole history (which grows by a slice a day). A backfill
-- rebuilds this model in full after its last date (segmart.history), as a full refresh does.
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='as_of_date',
    on_schema_change='fail',
) }}
{#- The dates to compute are listed first and read by a list of literal dates, so that DuckDB skips the history's
    other row groups. -#}
{%- set dates_to_compute = [] %}
{%- if is_incremental() and execute %}
    {%- set listing = run_query(
        'select distinct as_of_date from ' ~ ref('segment_membership_history')
        ~ ' where as_of_date = ' ~ as_of_date()
        ~ ' or as_of_date not in (select as_of_date from ' ~ this ~ ')') %}
    {%- for value in listing.columns[0].values() %}
        {%- do dates_to_compute.append("cast('" ~ value ~ "' as date)") %}
    {%- endfor %}
{%- endif %}
{%- set date_filter %}
    {%- if is_incremental() %}
        where as_of_date in ({{ dates_to_compute | join(', ') if dates_to_compute else 'null' }})
    {%- endif %}
{%- endset %}
with

history as (
    select * from {{ ref('segment_membership_history') }}
    {{ date_filter }}
),

-- A second, narrow import of the same model: DuckDB materialises a CTE that is read twice, with every column.
history_customers as (
    select
        as_of_date,
        customer_id,
        net_revenue_last_365_days
    from {{ ref('segment_membership_history') }}
    {{ date_filter }}
),

-- each customer once per date, with their 12-month net revenue (the same in every family row)
customers_per_date as (
    select
        as_of_date,
        customer_id,
        max(net_revenue_last_365_days) as net_revenue_last_365_days
    from history_customers
    group by as_of_date, customer_id
),

totals as (
    select
        as_of_date,
        count(*) as all_customers,
        sum(net_revenue_last_365_days) as all_net_revenue_last_365_days
    from customers_per_date
    group by as_of_date
),

per_segment as (
    select
        as_of_date,
        segment_family,
        segment,
        max(case when is_exclusive_family then 1 else 0 end) = 1 as is_exclusive_family,
        count(*) as customers,
        sum(net_revenue_last_365_days) as net_revenue_last_365_days
    from history
    group by as_of_date, segment_family, segment
),

final as (
    select
        per_segment.as_of_date,
        per_segment.segment_family,
        per_segment.segment,
        per_segment.is_exclusive_family,
        per_segment.customers,
        cast(per_segment.customers as {{ type_double() }}) / totals.all_customers as customer_share,
        per_segment.net_revenue_last_365_days,
        per_segment.net_revenue_last_365_days / nullif(totals.all_net_revenue_last_365_days, 0)
            as net_revenue_last_365_days_share
    from per_segment
    inner join totals
        on per_segment.as_of_date = totals.as_of_date
)

select * from final
