-- Every staged web event with the visitor it came from and the customer it is attributed to.
-- visitor_id: the anonymous (device or cookie) id, or 'customer:' || customer_id when the event has none.
-- customer_id: the event's own customer_id when it is a known customer; otherwise the customer the identity
-- map links its anonymous id to, so events before the login that identified the device are attributed too;
-- otherwise null (DECISIONLOG.md, "Web sessions, carts and wishlists").
-- Incremental: a run recomputes the events its base model (re)processed since this model's last run and the
-- events whose attribution the identity map now gives differently (a device identified later, a customer staged
-- later: found through the identifiers whose link changed, int_identity_links_tracked); events dated after
-- as_of_date are removed (macros/incremental).
-- depends_on: {{ ref('base_shop__web_events') }}, {{ ref('int_identity_links_tracked') }}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='event_id',
    on_schema_change='fail',
    segmart_stale_from='occurred_at',
) }}

with

identities as (
    select * from {{ ref('int_identities_stitched') }}
),

known_customers as (
    select identifier_value as customer_id
    from identities
    where identifier_type = 'customer_id'
),

linked_anonymous_ids as (
    select
        identifier_value as anonymous_id,
        customer_id
    from identities
    where identifier_type = 'anonymous_id'
),

{% if is_incremental() %}
    base_events_processed as (
        select event_id
        from {{ ref('base_shop__web_events') }}
        where processed_at > {{ last_processed_at() }}
    ),

    -- The stored events of identifiers whose link changed since this model's latest stamp; every stored event whose
    -- attribution differs from the map when the links cannot tell (macros/incremental/identity_links.sql).
    attribution_changed as (
        {% if identity_links_restarted() %}
            select stitched.event_id
            from {{ this }} as stitched
            left join known_customers
                on stitched.event_customer_id = known_customers.customer_id
            left join linked_anonymous_ids
                on stitched.anonymous_id = linked_anonymous_ids.anonymous_id
            where
                coalesce(known_customers.customer_id, linked_anonymous_ids.customer_id)
                is distinct from stitched.customer_id
                or stitched.attribution_rule <> case
                    when known_customers.customer_id is not null then 'event_customer_id'
                    when linked_anonymous_ids.customer_id is not null then 'anonymous_id_link'
                    else 'unattributed'
                end
        {% else %}
            {{ keys_of_changed_identity_links(
                'event_id', this, [['customer_id', 'event_customer_id'], ['anonymous_id', 'anonymous_id']]) }}
        {% endif %}
    ),

    events_to_recompute as (
        select event_id from base_events_processed
        union
        select event_id from attribution_changed
    ),
{% endif %}

web_events as (
    select * from {{ ref('stg_shop__web_events') }}
    {% if is_incremental() %}
        where event_id in (select event_id from events_to_recompute)
    {% endif %}
),

events_attributed as (
    select
        web_events.*,
        known_customers.customer_id as known_customer_id,
        linked_anonymous_ids.customer_id as linked_customer_id
    from web_events
    left join known_customers
        on web_events.customer_id = known_customers.customer_id
    left join linked_anonymous_ids
        on web_events.anonymous_id = linked_anonymous_ids.anonymous_id
),

final as (
    select
        -- ids
        event_id,
        coalesce(anonymous_id, 'customer:' || customer_id) as visitor_id,
        coalesce(known_customer_id, linked_customer_id) as customer_id,
        anonymous_id,
        customer_id as event_customer_id,
        session_id,
        product_id,
        order_id,
        -- attribution
        case
            when known_customer_id is not null then 'event_customer_id'
            when linked_customer_id is not null then 'anonymous_id_link'
            else 'unattributed'
        end as attribution_rule,
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
        {{ processed_at() }} as processed_at
    from events_attributed
)

select * from final
