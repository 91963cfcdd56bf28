-- Customers and 12-month net revenue moving between segments of each exclusive family, for pairs of
-- snapshot dates of segment_membership_history: the last two dates ('last_two') and every month-end with the
-- month-end before it ('month_over_month'). '(new)' is the source of customers absent at the earlier date,
-- '(gone)' the target of customers absent at the later date; staying is a move to the same segment.
with

history as (
    select * from {{ ref('segment_membership_history') }}
),

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

snapshot_dates as (
    select distinct as_of_date
    from history
),

ranked_dates as (
    select
        as_of_date,
        row_number() over (order by as_of_date desc) as recency_rank
    from snapshot_dates
),

last_two_pair as (
    select
        'last_two' as comparison,
        earlier.as_of_date as from_date,
        later.as_of_date as to_date
    from ranked_dates as later
    inner join ranked_dates as earlier
        on
            later.recency_rank = 1
            and earlier.recency_rank = 2
),

-- a snapshot taken on the last day of its month
month_end_dates as (
    select as_of_date
    from snapshot_dates
    where as_of_date = {{ dbt.last_day('as_of_date', 'month') }}
),

month_over_month_pairs as (
    select
        'month_over_month' as comparison,
        earlier.as_of_date as from_date,
        later.as_of_date as to_date
    from month_end_dates as later
    inner join month_end_dates as earlier
        on earlier.as_of_date = {{ dbt.dateadd('day', -1, dbt.date_trunc('month', 'later.as_of_date')) }}
),

date_pairs as (
    select * from last_two_pair
    union all
    select * from month_over_month_pairs
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
