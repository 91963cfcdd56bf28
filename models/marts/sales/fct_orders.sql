-- One row per staged order, with its stitched customer and its amounts net of returns, for BI.
-- Columns are listed (not select *) so the published shape is explicit; the contract enforces it too.
-- Incremental by watermark: a run rewrites the orders recomputed upstream since this mart's last build and deletes
-- the orders no longer there (macros/incremental/watermarks.sql).
-- depends_on: {{ ref('incremental_watermarks') }}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='order_id',
    on_schema_change='fail',
    segmart_keys_gone=[['order_id', 'int_orders_net_of_returns']],
    post_hook="{{ record_mart_build() }}",
) }}

with

orders as (
    select * from {{ ref('int_orders_net_of_returns') }}
),

final as (
    select
        order_id,
        customer_id,
        customer_match,
        order_status,
        is_purchase,
        has_coupon,
        has_discount,
        coupon_code,
        channel,
        device_type,
        shipping_country_code,
        currency_code,
        order_lines,
        items_quantity,
        items_returned_quantity,
        new_collection_quantity,
        return_count,
        merchandise_amount_reporting,
        discount_total_reporting,
        discount_rate,
        refund_amount_reporting,
        net_revenue_reporting,
        new_collection_amount_reporting,
        shipping_amount_reporting,
        tax_amount_reporting,
        total_amount_reporting,
        ordered_at,
        ordered_date,
        last_returned_at
    from orders
    {% if is_incremental() %}
        where processed_at > {{ mart_last_processed_at() }}
    {% endif %}
)

select * from final
