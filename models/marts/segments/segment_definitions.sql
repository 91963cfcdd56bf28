-- The segment registry: every segment of every family with its rule in words and the thresholds in force,
-- generated from the configuration the segment models read (seed rfm_segment_maps and the map named by
-- var rfm_segment_map; the lifecycle vars and the calibrated cut-offs; the catalog macros of
-- macros/segments/segment_catalog.sql and the vars they name). Change the configuration and this table,
-- the segments and the validation change together. Profile families list the values found in the data.
-- is_activatable: customer segments of the families in var activatable_families.
{%- set text = dbt.type_string() %}
{#- A computed threshold in words, to the cent. Rounded to 8 places first: a threshold computed from sums of doubles
    differs in its last bits between builds that sum rows in another order (an incremental and a full build), and
    one rounding to the cent could then land either side of a half cent (203.83 / 203.84). -#}
{%- set rounded_text = "coalesce(cast(round(round({}, 8), 2) as " ~ text ~ "), 'none')" %}
{%- set loyal_min = lifecycle_loyal_min_orders() %}

with

segment_maps as (
    select * from {{ ref('rfm_segment_maps') }}
),

cutoffs as (
    select * from {{ ref('int_lifecycle_cutoffs_calibrated') }}
),

value_tiers as (
    select * from {{ ref('int_customers_value_tiered') }}
),

behaviour as (
    select * from {{ ref('int_customers_behaviour_tagged') }}
),

lifecycle_events as (
    select * from {{ ref('int_customers_lifecycle_events_flagged') }}
),

segments as (
    select * from {{ ref('customer_segments') }}
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
            "' (scores 1-" ~ rfm_score_levels() ~ " by quintile, ties share a score; the lowest matching precedence wins)'",
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

computed_thresholds as (
    select
        max(behaviour.big_spender_revenue_threshold) as big_spender_revenue_threshold,
        max(behaviour.median_average_order_value) as median_average_order_value
    from behaviour
),

behaviour_segments as (
    {{ registry_rows('behaviour', behaviour_tags(), computed={
        'big_spender': dbt.concat(["'revenue threshold='", rounded_text.format('computed_thresholds.big_spender_revenue_threshold')]),
        'thrifty': dbt.concat(["'median order value='", rounded_text.format('computed_thresholds.median_average_order_value')]),
    }, from_relation='computed_thresholds') }}
),

lifecycle_event_thresholds as (
    select
        max(new_high_potential_threshold) as new_high_potential_threshold,
        max(large_first_basket_threshold) as large_first_basket_threshold
    from lifecycle_events
),

{%- set churn_text = dbt.concat(["'churn_after_days='", 'cast(cutoffs.churn_after_days as ' ~ text ~ ')']) %}
{%- set potential_text = dbt.concat([
    "'threshold='", rounded_text.format('lifecycle_event_thresholds.new_high_potential_threshold')]) %}
{%- set basket_text = dbt.concat([
    "'threshold='", rounded_text.format('lifecycle_event_thresholds.large_first_basket_threshold')]) %}

lifecycle_event_segments as (
    {{ registry_rows('lifecycle_event', lifecycle_events(), computed={
        'quick_churn': churn_text,
        'late_churn': churn_text,
        'back_from_churn': churn_text,
        'new_high_potential': potential_text,
        'new_low_potential': potential_text,
        'large_first_basket': basket_text,
        'small_first_basket': basket_text,
    }, from_relation='lifecycle_event_thresholds cross join cutoffs') }}
),

audience_segments as (
    {{ registry_rows('audience', campaign_audiences()) }}
),

visitor_segment_definitions as (
    {{ registry_rows(none, visitor_segments()) }}
),

-- profile families: one segment per value found ('unknown' for customers without one)
profile_values as (
    {%- for profile in profile_families() %}
        select distinct
            '{{ profile.family }}' as segment_family,
            profile_{{ profile.family }} as segment,
            '{{ profile.source }}' as value_source
        from segments
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

profile_segments as (
    select
        segment_family,
        segment,
        true as is_exclusive,
        case
            when segment = 'unknown' then {{ dbt.concat(["'no value in '", 'value_source']) }}
            else {{ dbt.concat(['value_source', "' = '", 'segment']) }}
        end as rule_description,
        cast(null as {{ text }}) as thresholds_in_force,
        'profile columns of dim_customers (macro profile_families)' as configured_by
    from profile_values
),

-- predictive families: tiers from their rules and vars; clusters as found (cluster_profiles names them)
predictive_segments as (
    {%- for predictive in predictive_families() %}
        {%- if predictive.segments %}
            {%- for segment, rule in predictive.segments %}
                select
                    '{{ predictive.family }}' as segment_family,
                    '{{ segment }}' as segment,
                    true as is_exclusive,
                    '{{ rule }}' as rule_description,
                    '{{ vars_in_force(predictive.vars) }}' as thresholds_in_force,
                    'vars {{ predictive.vars | join(", ") }}' as configured_by
                union all
            {%- endfor %}
        {%- else %}
            select distinct
                '{{ predictive.family }}' as segment_family,
                {{ predictive.family }} as segment,
                true as is_exclusive,
                case
                    when {{ predictive.family }} = 'none' then 'no cluster: no purchase, or clustering not possible'
                    else {{ dbt.concat([
                        "'k-means cluster on log-standardised recency, frequency and value: '", predictive.family,
                    ]) }}
                end as rule_description,
                '{{ vars_in_force(predictive.vars) }}' as thresholds_in_force,
                'vars {{ predictive.vars | join(", ") }} (cluster_profiles)' as configured_by
            from segments
            union all
        {%- endif %}
    {%- endfor %}
    {{ no_registry_rows() }}
),

tier_thresholds as (
    select
        max(spend_tier_high_threshold) as spend_high,
        max(spend_tier_low_threshold) as spend_low,
        max(aov_tier_high_threshold) as aov_high,
        max(aov_tier_low_threshold) as aov_low
    from value_tiers
),

{%- set tiers = [
    ('spend_tier', 'net revenue in the last 365 days', 'spend_high', 'spend_low',
     'spend_tier_high_quantile', 'spend_tier_low_quantile', 'customers who bought in the last 365 days'),
    ('aov_tier', 'average order value', 'aov_high', 'aov_low',
     'aov_tier_high_quantile', 'aov_tier_low_quantile', 'customers with a purchase'),
] %}

tier_segments as (
    {%- for family, measure, high, low, high_var, low_var, population in tiers %}
    {%- for tier, rule in [
        ('high', measure ~ ' above the ' ~ high_var ~ ' quantile of ' ~ population),
        ('medium', measure ~ ' between the two quantiles, inclusive'),
        ('low', measure ~ ' below the ' ~ low_var ~ ' quantile of ' ~ population),
        ('none', 'not among ' ~ population),
    ] %}
            select
                '{{ family }}' as segment_family,
                '{{ tier }}' as segment,
                true as is_exclusive,
                '{{ rule }}' as rule_description,
        {{ dbt.concat([
            "'" ~ vars_in_force([high_var, low_var]) ~ "; high above '",
            rounded_text.format(high),
            "'; low below '",
            rounded_text.format(low),
        ]) }} as thresholds_in_force,
                'vars {{ high_var }}, {{ low_var }}' as configured_by
            from tier_thresholds
            union all
        {%- endfor %}
    {%- endfor %}
    {{ no_registry_rows() }}
),

{%- set activatable_families = [] %}
{%- for family in var('activatable_families') %}
    {%- do activatable_families.append(safe_segment_name('activatable_families', family)) %}
{%- endfor %}

customer_segment_definitions as (
    select * from rfm_segments
    union all
    select * from rfm_prospects
    union all
    select * from lifecycle_segments
    union all
    select * from tier_segments
    union all
    select * from behaviour_segments
    union all
    select * from lifecycle_event_segments
    union all
    select * from audience_segments
    union all
    select * from profile_segments
    union all
    select * from predictive_segments
),

all_segments as (
    select
        *,
        'customer' as segment_subject
    from customer_segment_definitions
    union all
    select
        *,
        'visitor' as segment_subject
    from visitor_segment_definitions
),

final as (
    select
        segment_family,
        segment,
        segment_subject,
        is_exclusive,
        coalesce(
            segment_subject = 'customer'
            and segment_family in ('{{ activatable_families | join("', '") }}'),
            false
        ) as is_activatable,
        rule_description,
        thresholds_in_force,
        configured_by,
        {{ as_of_date() }} as as_of_date
    from all_segments
)

select * from final
