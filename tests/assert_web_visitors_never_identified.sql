-- dim_visitors holds exactly the visitors none of whose web events is attributed to a customer.
-- Fails with every visitor listed wrongly or missing.
with

web_events as (
    select * from {{ ref('int_web_events_stitched') }}
),

visitors as (
    select * from {{ ref('dim_visitors') }}
),

anonymous_visitors as (
    select visitor_id
    from web_events
    group by visitor_id
    having count(customer_id) = 0
),

final as (
    select
        coalesce(anonymous_visitors.visitor_id, visitors.visitor_id) as visitor_id,
        anonymous_visitors.visitor_id is not null as is_never_identified,
        visitors.visitor_id is not null as is_in_dim_visitors
    from anonymous_visitors
    full outer join visitors
        on anonymous_visitors.visitor_id = visitors.visitor_id
    where anonymous_visitors.visitor_id is null or visitors.visitor_id is null
)

select * from final
