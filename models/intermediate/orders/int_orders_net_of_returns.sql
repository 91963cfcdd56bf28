-- One row per staged order: its customer (stitched), what was bought, discounted and refunded, in the
-- reporting currency. Net revenue = merchandise - discounts - refunds (shipping and tax excluded).
-- Cancelled orders are kept, flagged is_purchase = false, with zero net revenue.
-- Incremental: a run recomputes the orders whose base order, lines (base or enriched) or returns were
-- (re)processed since its last run and the orders the identity map now attributes differently, and deletes the
-- orders no longer staged (macros/incremental).
-- depends_on: {{ ref('base_shop__orders') }}, {{ ref('base_shop__order_items') }}, {{ ref('base_shop__returns') }}
-- depends_on: {{ ref('int_identity_links_tracked') }}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='order_id',
    on_schema_change='fail',
    segmart_keys_gone=[['order_id', 'stg_shop__orders']],
) }}

with

identities as (
    select * from {{ ref('int_identities_stitched') }}
),

all_orders as (
    select * from {{ ref('stg_shop__orders') }}
),

-- The customer of every staged order: its own customer id when that customer is staged, else the customer
-- registered with its email.
orders_with_customer as (
    select
        all_orders.*,
        coalesce(by_customer_id.customer_id, by_email.customer_id) as resolved_customer_id,
        case
            when by_customer_id.customer_id is not null then 'customer_id'
            when by_email.customer_id is not null then 'email'
        end as customer_match
    from all_orders
    left join identities as by_customer_id
        on
            by_customer_id.identifier_type = 'customer_id'
            and all_orders.customer_id = by_customer_id.identifier_value
    left join identities as by_email
        on
            by_email.identifier_type = 'email'
            and all_orders.email = by_email.identifier_value
),

{% if is_incremental() %}
    orders_to_recompute as (
        select order_id from {{ ref('base_shop__orders') }}
        where processed_at > {{ last_processed_at() }}
        union
        select order_id from {{ ref('base_shop__order_items') }}
        where processed_at > {{ last_processed_at() }}
        union
        select order_id from {{ ref('base_shop__returns') }}
        where processed_at > {{ last_processed_at() }}
        union
        -- lines recomputed without a base row behind them (their product changed)
        select order_id from {{ ref('int_order_items_enriched') }}
        where processed_at > {{ last_processed_at() }}
        union
        -- orders the identity map may now attribute differently (macros/incremental/identity_links.sql)
        {% if identity_links_restarted() %}
            select current_attribution.order_id
            from orders_with_customer as current_attribution
            inner join {{ this }} as stored
                on current_attribution.order_id = stored.order_id
            where
                current_attribution.resolved_customer_id is distinct from stored.customer_id
                or current_attribution.customer_match is distinct from stored.customer_match
        {% else %}
            {{ keys_of_changed_identity_links(
                'order_id', 'all_orders', [['customer_id', 'customer_id'], ['email', 'email']]) }}
        {% endif %}
    ),
{% endif %}

orders as (
    select * from orders_with_customer
    {% if is_incremental() %}
        where order_id in (select order_id from orders_to_recompute)
    {% endif %}
),

order_lines as (
    select * from {{ ref('int_order_items_enriched') }}
    {% if is_incremental() %}
        where order_id in (select order_id from orders)
    {% endif %}
),

returns as (
    select * from {{ ref('stg_shop__returns') }}
    {% if is_incremental() %}
        where order_id in (select order_id from orders)
    {% endif %}
),

lines_per_order as (
    select
        order_id,
        count(*) as order_lines,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as items_quantity,
        cast(sum(returned_quantity) as {{ dbt.type_bigint() }}) as items_returned_quantity,
        sum(gross_amount_reporting) as merchandise_amount_reporting,
        sum(line_discount_amount_reporting) as line_discount_amount_reporting,
        sum(case when is_new_collection then gross_amount_reporting else 0 end) as new_collection_amount_reporting,
        cast(sum(case when is_new_collection then quantity else 0 end) as {{ dbt.type_bigint() }})
            as new_collection_quantity
    from order_lines
    group by order_id
),

refunds_per_order as (
    select
        order_id,
        count(*) as return_count,
        sum(refund_amount_reporting) as refund_amount_reporting,
        max(returned_at) as last_returned_at
    from returns
    group by order_id
),

amounts as (
    select
        orders.*,
        orders.order_status <> 'cancelled' as is_purchase,
        coalesce(lines_per_order.order_lines, 0) as order_lines,
        coalesce(lines_per_order.items_quantity, 0) as items_quantity,
        coalesce(lines_per_order.items_returned_quantity, 0) as items_returned_quantity,
        coalesce(lines_per_order.merchandise_amount_reporting, orders.subtotal_amount_reporting, 0)
            as merchandise_amount_reporting,
        coalesce(orders.discount_amount_reporting, 0)
        + coalesce(lines_per_order.line_discount_amount_reporting, 0) as discount_total_reporting,
        coalesce(lines_per_order.new_collection_amount_reporting, 0) as new_collection_amount_reporting,
        coalesce(lines_per_order.new_collection_quantity, 0) as new_collection_quantity,
        coalesce(refunds_per_order.return_count, 0) as return_count,
        coalesce(refunds_per_order.refund_amount_reporting, 0) as recorded_refund_amount_reporting,
        refunds_per_order.last_returned_at
    from orders
    left join lines_per_order
        on orders.order_id = lines_per_order.order_id
    left join refunds_per_order
        on orders.order_id = refunds_per_order.order_id
),

final as (
    select
        -- ids
        order_id,
        resolved_customer_id as customer_id,
        customer_match,
        coupon_code,
        -- attributes
        order_status,
        is_purchase,
        coupon_code is not null as has_coupon,
        discount_total_reporting > 0 as has_discount,
        channel,
        device_type,
        shipping_country_code,
        currency_code,
        -- quantities
        order_lines,
        items_quantity,
        items_returned_quantity,
        new_collection_quantity,
        return_count,
        -- amounts in the reporting currency
        merchandise_amount_reporting,
        discount_total_reporting,
        case
            when merchandise_amount_reporting > 0
                then discount_total_reporting / merchandise_amount_reporting
            else 0
        end as discount_rate,
        -- a refunded order with no return rows is refunded in full
        case
            when order_status = 'refunded' and return_count = 0
                then merchandise_amount_reporting - discount_total_reporting
            else recorded_refund_amount_reporting
        end as refund_amount_reporting,
        case
            when not is_purchase then 0
            when order_status = 'refunded' and return_count = 0 then 0
            else merchandise_amount_reporting - discount_total_reporting - recorded_refund_amount_reporting
        end as net_revenue_reporting,
        new_collection_amount_reporting,
        shipping_amount_reporting,
        tax_amount_reporting,
        total_amount_reporting,
        -- timestamps
        ordered_at,
        cast(ordered_at as date) as ordered_date,
        last_returned_at,
        -- run metadata
        {{ processed_at() }} as processed_at
    from amounts
)

select * from final
