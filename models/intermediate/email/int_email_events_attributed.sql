-- Every staged email event with the customer it belongs to: its customer_id when that is a known
-- customer, otherwise the customer registered with its email (identity map). Unattributable events
-- keep customer_id null.
with

email_events as (
    select * from {{ ref('stg_shop__email_events') }}
),

identities as (
    select * from {{ ref('int_identities_stitched') }}
),

final as (
    select
        email_events.event_id,
        coalesce(by_customer_id.customer_id, by_email.customer_id) as customer_id,
        email_events.campaign_id,
        email_events.event_type,
        email_events.occurred_at
    from email_events
    left join identities as by_customer_id
        on
            by_customer_id.identifier_type = 'customer_id'
            and email_events.customer_id = by_customer_id.identifier_value
    left join identities as by_email
        on
            by_email.identifier_type = 'email'
            and email_events.email = by_email.identifier_value
)

select * from final
