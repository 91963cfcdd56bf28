-- The segment registry: every segment of every family with its rule in words and the thresholds in force,
-- generated from the configuration the segment models read (seed rfm_segment_maps and the map named by
-- var rfm_segment_map; the lifecycle vars and the calibrated cut-offs). Change the configuration and this
-- table, the segments and the validation change together.
{%- set text = dbt.type_string() %}
{%- set loyal_min = lifecycle_loyal_min_orders() %}

with

segment_maps as (
    select * from {{ ref('rfm_segment_maps') }}
),

cutoffs as (
    select * from {{ ref('int_lifecycle_cutoffs_calibrated') }}
),

rfm_segments as (
    select
        'rfm' as segment_family,
        segment,
        true as is_exclusive,
        {{ dbt.concat([
            "'R '", "cast(r_min as " ~ text ~ ")", "'-'", "cast(r_max as " ~ text ~ ")",
            "', F '", "cast(f_min as " ~ text ~ ")", "'-'", "cast(f_max as " ~ text ~ ")",
            "', M '", "cast(m_min as " ~ text ~ ")", "'-'", "cast(m_max as " ~ text ~ ")",
            "' (scores 1-5 by quintile, ties share a score; the lowest matching precedence wins)'",
        ]) }} as rule_description,
        {{ dbt.concat(["'map='", "map_name", "'; precedence='", "cast(precedence as " ~ text ~ ")"]) }}
            as thresholds_in_force,
        {{ dbt.concat(["'seed rfm_segment_maps, var rfm_segment_map = '", "map_name"]) }} as configured_by
    from segment_maps
    where map_name = '{{ rfm_segment_map() }}'
),

rfm_prospects as (
    select
        'rfm' as segment_family,
        'Prospects' as segment,
        true as is_exclusive,
        'No purchase yet (order_count = 0): no RFM scores' as rule_description,
        cast(null as {{ dbt.type_string() }}) as thresholds_in_force,
        'built in' as configured_by
),

order_stages as (
    select
        'signup' as order_stage,
        'no purchase' as stage_rule
    union all
    select
        'one_timer' as order_stage,
        'exactly 1 purchase' as stage_rule
    union all
    select
        'repeat' as order_stage,
        '2 to {{ loyal_min - 1 }} purchases' as stage_rule
    union all
    select
        'loyal' as order_stage,
        'at least {{ loyal_min }} purchases' as stage_rule
),

cutoff_texts as (
    select
        cast(active_max_days as {{ text }}) as active_max_days_text,
        cast(active_max_days + 1 as {{ text }}) as first_at_risk_day_text,
        cast(churn_after_days as {{ text }}) as churn_after_days_text,
        active_max_days_source,
        churn_after_days_source
    from cutoffs
),

recency_statuses as (
    select
        'active' as recency_status,
        {{ dbt.concat(["'last purchase (or signup) at most '", 'active_max_days_text', "' days ago'"]) }}
            as status_rule
    from cutoff_texts
    union all
    select
        'at_risk' as recency_status,
        {{ dbt.concat([
            "'last purchase (or signup) '", 'first_at_risk_day_text', "' to '", 'churn_after_days_text', "' days ago'",
        ]) }} as status_rule
    from cutoff_texts
    union all
    select
        'churned' as recency_status,
        {{ dbt.concat(["'last purchase (or signup) more than '", 'churn_after_days_text', "' days ago'"]) }}
            as status_rule
    from cutoff_texts
),

lifecycle_segments as (
    select
        'lifecycle' as segment_family,
        {{ dbt.concat(['order_stages.order_stage', "'_'", 'recency_statuses.recency_status']) }} as segment,
        true as is_exclusive,
        {{ dbt.concat(['order_stages.stage_rule', "'; '", 'recency_statuses.status_rule']) }} as rule_description,
        {{ dbt.concat([
            "'active_max_days='", 'cutoff_texts.active_max_days_text', "' ('", 'cutoff_texts.active_max_days_source',
            "'); churn_after_days='", 'cutoff_texts.churn_after_days_text', "' ('", 'cutoff_texts.churn_after_days_source',
            "')'",
        ]) }} as thresholds_in_force,
        'vars lifecycle_*, calibrated in lifecycle_cutoffs' as configured_by
    from order_stages
    cross join recency_statuses
    cross join cutoff_texts
),

final as (
    select
        segment_family,
        segment,
        is_exclusive,
        rule_description,
        thresholds_in_force,
        configured_by,
        {{ as_of_date() }} as as_of_date
    from (
        select * from rfm_segments
        union all
        select * from rfm_prospects
        union all
        select * from lifecycle_segments
    ) as all_segments
)

select * from final
