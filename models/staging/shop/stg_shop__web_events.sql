with

web_events as (
    select * from {{ ref('base_shop__web_events') }}
    where row_status = 'staged'
),

final as (
    select
        -- ids
        event_id,
        anonymous_id,
        customer_id,
        session_id,
        product_id,
        order_id,
        -- attributes
        event_type,
        page_url,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        device_type,
        country_code,
        -- timestamps
        occurred_at,
        -- run metadata (macros/incremental)
        processed_at
    from web_events
)

select * from final
