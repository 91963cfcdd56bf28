-- One row per staged order line, with its order's customer and status, its product and its returns.
-- Incremental by watermark: a run rewrites the lines whose line or order was recomputed upstream since this mart's
-- last build and deletes the lines no longer there (macros/incremental/watermarks.sql).
-- depends_on: {{ ref('incremental_watermarks') }}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='order_item_id',
    on_schema_change='fail',
    segmart_keys_gone=[['order_item_id', 'int_order_items_enriched']],
    post_hook="{{ record_mart_build() }}",
) }}

with

order_lines as (
    select * from {{ ref('int_order_items_enriched') }}
),

orders as (
    select * from {{ ref('int_orders_net_of_returns') }}
),

{% if is_incremental() %}
    -- The lines to rewrite: those recomputed since this mart's last build, and those of orders recomputed since.
    -- Two scans that each keep a few rows, not a filter over the join of every line with its order.
    orders_recomputed as (
        select order_id
        from orders
        where processed_at > {{ mart_last_processed_at() }}
    ),

    lines_to_rewrite as (
        select *
        from order_lines
        where processed_at > {{ mart_last_processed_at() }}
        union all
        select *
        from order_lines
        where
            processed_at <= {{ mart_last_processed_at() }}
            and order_lines.order_id in (select orders_recomputed.order_id from orders_recomputed)
    ),
{% endif %}

final as (
    select
        order_lines.order_item_id,
        order_lines.order_id,
        orders.customer_id,
        order_lines.product_id,
        orders.order_status,
        orders.is_purchase,
        order_lines.category,
        order_lines.product_line,
        order_lines.brand,
        order_lines.launched_date,
        order_lines.is_new_collection,
        order_lines.quantity,
        order_lines.returned_quantity,
        order_lines.unit_price_reporting,
        order_lines.gross_amount_reporting,
        order_lines.line_discount_amount_reporting,
        order_lines.net_amount_reporting,
        order_lines.refund_amount_reporting,
        order_lines.ordered_at
    from {{ 'lines_to_rewrite' if is_incremental() else 'order_lines' }} as order_lines
    inner join orders
        on order_lines.order_id = orders.order_id
)

select * from final
