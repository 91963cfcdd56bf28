-- One row per customer: recency, frequency and monetary scores 1..5 by quintile over the customers with at
-- least one purchase, their cell ('545') and segment from the map in force (var rfm_segment_map).
-- Score = 1 + floor(5 * (rank - 1) / purchasers), rank() over the ordering (ties share the lowest rank, so
-- equal values always get equal scores). Customers without a purchase are 'Prospects' with null scores;
-- a purchaser whose cell no map row matches is 'Unclassified'.
with

customers as (
    select * from {{ ref('dim_customers') }}
),

segment_maps as (
    select * from {{ ref('rfm_segment_maps') }}
),

active_map as (
    select
        segment,
        precedence,
        r_min,
        r_max,
        f_min,
        f_max,
        m_min,
        m_max
    from segment_maps
    where map_name = '{{ rfm_segment_map() }}'
),

purchasers as (
    select
        customer_id,
        days_since_last_order as recency_days,
        order_count as frequency_orders,
        net_revenue_lifetime as monetary_net_revenue
    from customers
    where order_count > 0
),

ranked as (
    select
        customer_id,
        recency_days,
        frequency_orders,
        monetary_net_revenue,
        -- fewer days since the last order ranks higher, so it is ordered last
        rank() over (order by recency_days desc nulls last) as recency_rank,
        rank() over (order by frequency_orders asc nulls last) as frequency_rank,
        rank() over (order by monetary_net_revenue asc nulls last) as monetary_rank,
        count(*) over () as purchaser_count
    from purchasers
),

scored as (
    select
        customer_id,
        recency_days,
        frequency_orders,
        monetary_net_revenue,
        cast(
            1 + floor({{ rfm_score_levels() }} * cast(recency_rank - 1 as {{ type_double() }}) / purchaser_count)
            as {{ dbt.type_int() }}
        ) as r_score,
        cast(
            1 + floor({{ rfm_score_levels() }} * cast(frequency_rank - 1 as {{ type_double() }}) / purchaser_count)
            as {{ dbt.type_int() }}
        ) as f_score,
        cast(
            1 + floor({{ rfm_score_levels() }} * cast(monetary_rank - 1 as {{ type_double() }}) / purchaser_count)
            as {{ dbt.type_int() }}
        ) as m_score
    from ranked
),

segment_matches as (
    select
        scored.customer_id,
        active_map.segment,
        row_number() over (
            partition by scored.customer_id
            order by active_map.precedence asc nulls last, active_map.segment asc nulls last
        ) as match_order
    from scored
    inner join active_map
        on
            scored.r_score between active_map.r_min and active_map.r_max
            and scored.f_score between active_map.f_min and active_map.f_max
            and scored.m_score between active_map.m_min and active_map.m_max
),

final as (
    select
        customers.customer_id,
        scored.recency_days,
        scored.frequency_orders,
        scored.monetary_net_revenue,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        {{ dbt.concat([
            dbt.safe_cast('scored.r_score', dbt.type_string()),
            dbt.safe_cast('scored.f_score', dbt.type_string()),
            dbt.safe_cast('scored.m_score', dbt.type_string()),
        ]) }} as rfm_cell,
        case
            when scored.customer_id is null then 'Prospects'
            else coalesce(segment_matches.segment, 'Unclassified')
        end as rfm_segment,
        '{{ rfm_segment_map() }}' as rfm_map
    from customers
    left join scored
        on customers.customer_id = scored.customer_id
    left join segment_matches
        on
            scored.customer_id = segment_matches.customer_id
            and segment_matches.match_order = 1
)

select * from final
