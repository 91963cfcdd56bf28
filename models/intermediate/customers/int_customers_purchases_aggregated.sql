-- One row per customer with at least one purchase (an order that is not cancelled):
-- frequency, value, recency windows, first order and first period, returns and discounts.
-- The first period is the new_customer_first_period_days days starting with the first purchase day.
{%- set first_period_days = var('new_customer_first_period_days') | int %}
with

orders as (
    select * from {{ ref('int_orders_net_of_returns') }}
    where is_purchase
),

orders_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by ordered_at asc nulls last, order_id asc
        ) as purchase_sequence,
        {{ dbt.datediff(
            'min(ordered_date) over (partition by customer_id)', 'ordered_date', 'day') }}
            as days_since_first_purchase
    from orders
),

aggregated as (
    select
        customer_id,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        count(*) as order_count,
        count(distinct ordered_date) as distinct_purchase_days,
        sum(net_revenue_reporting) as net_revenue_lifetime,
        sum(case when {{ within_last_days('ordered_at', 30) }} then net_revenue_reporting else 0 end)
            as net_revenue_last_30_days,
        sum(case when {{ within_last_days('ordered_at', 90) }} then net_revenue_reporting else 0 end)
            as net_revenue_last_90_days,
        sum(case when {{ within_last_days('ordered_at', 365) }} then net_revenue_reporting else 0 end)
            as net_revenue_last_365_days,
        cast(sum(case when {{ within_last_days('ordered_at', 30) }} then 1 else 0 end) as {{ dbt.type_bigint() }})
            as orders_last_30_days,
        cast(sum(case when {{ within_last_days('ordered_at', 90) }} then 1 else 0 end) as {{ dbt.type_bigint() }})
            as orders_last_90_days,
        cast(sum(case when {{ within_last_days('ordered_at', 365) }} then 1 else 0 end) as {{ dbt.type_bigint() }})
            as orders_last_365_days,
        cast(sum(items_quantity) as {{ dbt.type_bigint() }}) as items_purchased,
        cast(sum(items_returned_quantity) as {{ dbt.type_bigint() }}) as items_returned,
        sum(merchandise_amount_reporting) as merchandise_amount_lifetime,
        sum(refund_amount_reporting) as refund_amount_lifetime,
        sum(new_collection_amount_reporting) as new_collection_amount_lifetime,
        avg(cast(case when has_discount then 1 else 0 end as {{ type_double() }})) as discounted_order_share,
        avg(cast(case when has_coupon then 1 else 0 end as {{ type_double() }})) as coupon_order_share,
        avg(discount_rate) as average_discount_rate,
        max(case when purchase_sequence = 1 then net_revenue_reporting end) as first_order_value,
        max(case when purchase_sequence = 1 then items_quantity end) as first_order_item_count,
        max(case when purchase_sequence = 1 then merchandise_amount_reporting end) as first_order_merchandise_amount,
        sum(case when days_since_first_purchase < {{ first_period_days }} then net_revenue_reporting else 0 end)
            as net_revenue_first_period,
        cast(
            sum(case when days_since_first_purchase < {{ first_period_days }} then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as orders_first_period
    from orders_ranked
    group by customer_id
),

channel_counts as (
    select
        customer_id,
        channel,
        count(*) as orders_in_channel,
        max(ordered_at) as last_order_in_channel_at
    from orders
    group by customer_id, channel
),

primary_channels as (
    select
        customer_id,
        channel as primary_channel,
        row_number() over (
            partition by customer_id
            order by orders_in_channel desc, last_order_in_channel_at desc nulls last, channel asc
        ) as channel_rank
    from channel_counts
),

final as (
    select
        aggregated.*,
        primary_channels.primary_channel
    from aggregated
    left join primary_channels
        on
            aggregated.customer_id = primary_channels.customer_id
            and primary_channels.channel_rank = 1
)

select * from final
