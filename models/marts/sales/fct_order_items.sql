-- One row per staged order line, with its order's customer and status, its product and its returns.
-- Incremental by difference: a run writes only the rows that differ from the stored ones and deletes the lines
-- no longer there (macros/incremental/changed_rows.sql).
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='order_item_id',
    on_schema_change='fail',
    segmart_keys_gone=[['order_item_id', 'int_order_items_enriched']],
) }}

with

order_lines as (
    select * from {{ ref('int_order_items_enriched') }}
),

orders as (
    select * from {{ ref('int_orders_net_of_returns') }}
),

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
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id
)

{{ changed_rows('final') }}
