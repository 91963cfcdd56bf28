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

-- The customer of every staged email event: its own customer id when that customer is known, else the customer
-- registered with its email.
events_with_customer as (
    select
        all_email_events.*,
        coalesce(by_customer_id.customer_id, by_email.customer_id) as resolved_customer_id
    from all_email_events
    left join identities as by_customer_id
        on
            by_customer_id.identifier_type = 'customer_id'
            and all_email_events.customer_id = by_customer_id.identifier_value
    left join identities as by_email
        on
            by_email.identifier_type = 'email'
            and all_email_events.email = by_email.identifier_value
),

{% if is_incremental() %}
    events_to_recompute as (
        select event_id
        from all_email_events
        where processed_at > {{ last_processed_at() }}
        union
        -- events the identity map may now attribute differently (macros/incremental/identity_links.sql)
        {% if identity_links_restarted() %}
            select current_attribution.event_id
            from events_with_customer as current_attribution
            inner join {{ this }} as stored_events
                on current_attribution.event_id = stored_events.event_id
            where current_attribution.resolved_customer_id is distinct from stored_events.customer_id
        {% else %}
            {{ keys_of_changed_identity_links(
                'event_id', 'all_email_events', [['customer_id', 'customer_id'], ['email', 'email']]) }}
        {% endif %}
    ),
{% endif %}

final as (
    select
        event_id,
        resolved_customer_id as customer_id,
        campaign_id,
        event_type,
        occurred_at,
        {{ processed_at() }} as processed_at
    from events_with_customer
    {% if is_incremental() %}
        where event_id in (select events_to_recompute.event_id from events_to_recompute)
    {% endif %}
)

select * from final
