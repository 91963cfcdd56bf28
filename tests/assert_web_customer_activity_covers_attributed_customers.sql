-- int_customers_web_activity has a row for every customer with an attributed web event, and only for them.
-- Fails with every customer missing or extra.
with

web_events as (
    select * from {{ ref('int_web_events_stitched') }}
),

customer_activity as (
    select * from {{ ref('int_customers_web_activity') }}
),

attributed_customers as (
    select distinct customer_id
    from web_events
    where customer_id is not null
),

final as (
    select
        coalesce(attributed_customers.customer_id, customer_activity.customer_id) as customer_id,
        attributed_customers.customer_id is not null as has_attributed_events,
        customer_activity.customer_id is not null as is_in_activity
    from attributed_customers
    full outer join customer_activity
        on attributed_customers.customer_id = customer_activity.customer_id
    where attributed_customers.customer_id is null or customer_activity.customer_id is null
)

select * from final
