{#- The pairs of snapshot dates segment_transitions computes, as CTEs that end in date_pairs (comparison, from_date,
    to_date): the two latest dates ('last_two') and every month-end with the month-end before it ('month_over_month');
    on an incremental run, only the month-over-month pairs with the run's as_of_date or not computed yet. The model
    runs them on their own first and reads the memberships of the pairs' dates only, by a list of literal dates:
    DuckDB then skips the history's other row groups, where a join with the pairs would read the whole history
    (which grows by a slice a day). Then they are part of its query. -#}
{% macro segment_transition_date_pairs() -%}
snapshot_dates as (
    select distinct as_of_date
    from {{ ref('segment_membership_history') }}
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

{% if is_incremental() %}
    -- pairs with the date this run wrote, and pairs not computed yet
    month_over_month_pairs_to_compute as (
        select *
        from month_over_month_pairs
        where
            from_date = {{ as_of_date() }}
            or to_date = {{ as_of_date() }}
            or (from_date, to_date) not in (
                select
                    from_date,
                    to_date
                from {{ this }}
                where comparison = 'month_over_month'
            )
    ),
{% endif %}

date_pairs as (
    select * from last_two_pair
    union all
    {% if is_incremental() -%}
        select * from month_over_month_pairs_to_compute
    {%- else -%}
        select * from month_over_month_pairs
    {%- endif %}
)
{%- endmacro %}
