{#- Append-only history of customer segment memberships, one slice per as_of_date. Each build replaces the
    slice of its own as_of_date (strategy per engine: macro history_incremental_config) and keeps every other
    date, so a refresh adds today and a backfill adds past month-ends. full_refresh = false: `dbt build
    --full-refresh` leaves the history alone (README: "Segment history" says how to really reset it). -#}
{{ config(
    materialized='incremental',
    full_refresh=false,
    on_schema_change='append_new_columns',
    **history_incremental_config()
) }}

with

memberships as (
    select * from {{ ref('customer_segment_memberships') }}
),

definitions as (
    select * from {{ ref('segment_definitions') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

{%- set excluded_families = [] %}
{%- for family in var('segment_history_excluded_families') %}
    {%- do excluded_families.append(safe_segment_name('segment_history_excluded_families', family)) %}
{%- endfor %}

-- a family is exclusive when the registry says so (every customer in exactly one of its segments)
families as (
    select
        segment_family,
        min(case when is_exclusive then 1 else 0 end) = 1 as is_exclusive_family
    from definitions
    where segment_subject = 'customer'
    group by segment_family
),

kept_memberships as (
    select *
    from memberships
    {%- if excluded_families %}
        where segment_family not in ('{{ excluded_families | join("', '") }}')
    {%- endif %}
),

final as (
    select
        kept_memberships.as_of_date,
        kept_memberships.customer_id,
        kept_memberships.segment_family,
        kept_memberships.segment,
        coalesce(families.is_exclusive_family, false) as is_exclusive_family,
        coalesce(customers.net_revenue_last_365_days, 0) as net_revenue_last_365_days
    from kept_memberships
    left join families
        on kept_memberships.segment_family = families.segment_family
    left join customers
        on kept_memberships.customer_id = customers.customer_id
)

select * from final
