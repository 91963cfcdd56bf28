-- Customers and 12-month net revenue moving between segments of each exclusive family, for pairs of
-- snapshot dates of segment_membership_history: the last two dates ('last_two') and every month-end with the
-- month-end before it ('month_over_month'). '(new)' is the source of customers absent at the earlier date,
-- '(gone)' the target of customers absent at the later date; staying is a move to the same segment.
-- Incremental: a run recomputes the 'last_two' pair (all of its rows are replaced, whatever its dates were) and the
-- month-over-month pairs with a date the run wrote into the history (its as_of_date) or a date of the history
-- that no pair here has yet; the other pairs' slices of the history have not changed. A backfill rebuilds this
-- model in full after its last date (segmart.history), as a full refresh does. The pairs are found first
-- (macros/history/segment_transitions.sql), and the history is read for their dates only, in a full build too
-- (a year of daily snapshots has 14 dates in pairs).
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key="case when comparison = 'last_two' then comparison else comparison || ':' || cast(from_date as "
        ~ dbt.type_string() ~ ") || ':' || cast(to_date as " ~ dbt.type_string() ~ ") end",
    on_schema_change='fail',
) }}
{#- not built yet (compiling or linting a fresh project), or a unit test's input: read every date -#}
{%- set history_ref = ref('segment_membership_history') %}
{%- set history_relation = load_relation(history_ref) if execute and history_ref.schema else none %}
{%- set pair_dates = [] %}
{%- if history_relation is not none %}
    {%- set listing = run_query('with ' ~ segment_transition_date_pairs()
        ~ ' select from_date from date_pairs union select to_date from date_pairs') %}
    {%- for value in listing.columns[0].values() %}
        {%- do pair_dates.append("cast('" ~ value ~ "' as date)") %}
    {%- endfor %}
{%- endif %}
with

history as (
    select * from {{ ref('segment_membership_history') }}
    {%- if history_relation is not none %}
        where as_of_date in ({{ pair_dates | join(', ') if pair_dates else 'null' }})
    {%- endif %}
),

{{ segment_transition_date_pairs() }},

exclusive_memberships as (
    select
        as_of_date,
        customer_id,
        segment_family,
        segment,
        net_revenue_last_365_days
    from history
    where is_exclusive_family
),

families_per_date as (
    select distinct
        as_of_date,
        segment_family
    from exclusive_memberships
),

-- every family present at either date of a pair
pair_families as (
    select
        date_pairs.comparison,
        date_pairs.from_date,
        date_pairs.to_date,
        families_per_date.segment_family
    from date_pairs
    inner join families_per_date
        on date_pairs.from_date = families_per_date.as_of_date
    union
    select
        date_pairs.comparison,
        date_pairs.from_date,
        date_pairs.to_date,
        families_per_date.segment_family
    from date_pairs
    inner join families_per_date
        on date_pairs.to_date = families_per_date.as_of_date
),

earlier_members as (
    select
        pair_families.comparison,
        pair_families.from_date,
        pair_families.to_date,
        pair_families.segment_family,
        exclusive_memberships.customer_id,
        exclusive_memberships.segment,
        exclusive_memberships.net_revenue_last_365_days
    from pair_families
    inner join exclusive_memberships
        on
            pair_families.from_date = exclusive_memberships.as_of_date
            and pair_families.segment_family = exclusive_memberships.segment_family
),

later_members as (
    select
        pair_families.comparison,
        pair_families.from_date,
        pair_families.to_date,
        pair_families.segment_family,
        exclusive_memberships.customer_id,
        exclusive_memberships.segment,
        exclusive_memberships.net_revenue_last_365_days
    from pair_families
    inner join exclusive_memberships
        on
            pair_families.to_date = exclusive_memberships.as_of_date
            and pair_families.segment_family = exclusive_memberships.segment_family
),

-- one row per customer of a pair and family: where they were, where they are
customer_moves as (
    select
        coalesce(earlier_members.comparison, later_members.comparison) as comparison,
        coalesce(earlier_members.from_date, later_members.from_date) as from_date,
        coalesce(earlier_members.to_date, later_members.to_date) as to_date,
        coalesce(earlier_members.segment_family, later_members.segment_family) as segment_family,
        coalesce(earlier_members.segment, '(new)') as from_segment,
        coalesce(later_members.segment, '(gone)') as to_segment,
        coalesce(earlier_members.net_revenue_last_365_days, 0) as net_revenue_before,
        coalesce(later_members.net_revenue_last_365_days, 0) as net_revenue_after
    from earlier_members
    full outer join later_members
        on
            earlier_members.comparison = later_members.comparison
            and earlier_members.from_date = later_members.from_date
            and earlier_members.segment_family = later_members.segment_family
            and earlier_members.customer_id = later_members.customer_id
),

moves as (
    select
        comparison,
        from_date,
        to_date,
        segment_family,
        from_segment,
        to_segment,
        count(*) as customers,
        sum(net_revenue_before) as net_revenue_last_365_days_before,
        sum(net_revenue_after) as net_revenue_last_365_days_after
    from customer_moves
    group by comparison, from_date, to_date, segment_family, from_segment, to_segment
),

final as (
    select
        comparison,
        from_date,
        to_date,
        segment_family,
        from_segment,
        to_segment,
        from_segment = to_segment as is_stay,
        customers,
        cast(customers as {{ type_double() }})
        / sum(customers) over (
            partition by comparison, from_date, to_date, segment_family, from_segment
        ) as share_of_from_segment,
        net_revenue_last_365_days_before,
        net_revenue_last_365_days_after
    from moves
)

select * from final
