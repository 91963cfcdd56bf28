-- Every staged email event with the customer it belongs to: its customer_id when that is a known
-- customer, otherwise the customer registered with its email (identity map). Unattributable events
-- keep customer_id null.
-- Incremental: a run recomputes the events its base model (re)processed since this model's last run and the
-- stored events of identifiers whose link changed since (int_identity_links_tracked), and deletes the events no
-- longer staged (macros/incremental).
-- depends_on: {{ ref('base_shop__email_events') }}, {{ ref('int_identity_links_tracked') }}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='event_id',
    on_schema_change='fail',
    segmart_keys_gone=[['event_id', 'stg_shop__email_events']],
) }}

with

all_email_events as (
    select * from {{ ref('stg_shop__email_events') }}
),

identities as (
    select * from {{ ref('int_identities_stitched') }}
),

{% if is_incremental() %}
    events_to_recompute as (
        select event_id
        from all_email_events
        where processed_at > {{ last_processed_at() }}
        union
        -- events the identity map may now attribute differently (macros/incremental/identity_links.sql)
        {% if identity_links_restarted() %}
            select stored_events.event_id
            from {{ this }} as stored_events
            inner join all_email_events
                on stored_events.event_id = all_email_events.event_id
            left join identities as by_customer_id
                on
                    by_customer_id.identifier_type = 'customer_id'
                    and all_email_events.customer_id = by_customer_id.identifier_value
            left join identities as by_email
                on
                    by_email.identifier_type = 'email'
                    and all_email_events.email = by_email.identifier_value
            where
                coalesce(by_customer_id.customer_id, by_email.customer_id)
                is distinct from stored_events.customer_id
        {% else %}
            select event_id
            from all_email_events
            where
                customer_id in {{ identity_links_changed('customer_id') }}
                or email in {{ identity_links_changed('email') }}
        {% endif %}
    ),
{% endif %}

email_events as (
    select * from all_email_events
    {% if is_incremental() %}
        where event_id in (select events_to_recompute.event_id from events_to_recompute)
    {% endif %}
),

final as (
    select
        email_events.event_id,
        coalesce(by_customer_id.customer_id, by_email.customer_id) as customer_id,
        email_events.campaign_id,
        email_events.event_type,
        email_events.occurred_at,
        {{ processed_at() }} as processed_at
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
