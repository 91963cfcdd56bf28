with

email_events as (
    select * from {{ ref('base_shop__email_events') }}
    where row_status = 'staged'
),

final as (
    select
        -- ids
        event_id,
        customer_id,
        email,
        campaign_id,
        -- attributes
        event_type,
        -- timestamps
        occurred_at,
        -- run metadata (macros/incremental)
        processed_at
    from email_events
)

select * from final
