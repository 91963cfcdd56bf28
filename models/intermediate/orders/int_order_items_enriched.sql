-- One row per staged order line with its product, its returns and whether it was a new-collection
-- purchase (bought within var new_collection_window_days of the product's launch).
-- Incremental: a run recomputes the lines whose base line or order was (re)processed since its last run, the
-- lines with a return (re)processed since then and the lines whose product changed, and deletes the lines that
-- are no longer staged or whose order is not (macros/incremental, DECISIONLOG.md "Order intermediates are
-- incremental", "Changed products and exchange rates flow through incremental runs").
-- depends_on: {{ ref('base_shop__order_items') }}, {{ ref('base_shop__orders') }}, {{ ref('base_shop__returns') }}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy=incremental_strategy(),
    unique_key='order_item_id',
    on_schema_change='fail',
    segmart_rebuild_when_changed={
        'vars': ['new_collection_window_days'],
    },
    segmart_keys_gone=[['order_item_id', 'stg_shop__order_items'], ['order_id', 'stg_shop__orders']],
) }}
-- depends_on: {{ ref('incremental_configurations') }}

with

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
    {% if is_incremental() %}
        where
            order_item_id in (
                select order_item_id from {{ ref('base_shop__order_items') }}
                where processed_at > {{ last_processed_at() }}
            )
            or order_id in (
                select order_id from {{ ref('base_shop__orders') }}
                where processed_at > {{ last_processed_at() }}
            )
            or order_item_id in (
                select order_item_id from {{ ref('base_shop__returns') }}
                where processed_at > {{ last_processed_at() }}
            )
            -- lines whose product changed (a later product version, a changed product file): compared on the
            -- product columns the line carries, narrow columns of every stored line against the current products
            or order_item_id in (
                select stored.order_item_id
                from {{ this }} as stored
                left join {{ ref('stg_shop__products') }} as current_products
                    on stored.product_id = current_products.product_id
                where
                    stored.category is distinct from current_products.category
                    or stored.product_line is distinct from current_products.product_line
                    or stored.brand is distinct from current_products.brand
                    or stored.launched_date is distinct from current_products.launched_date
            )
    {% endif %}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

returns as (
    select * from {{ ref('stg_shop__returns') }}
),

returns_per_line as (
    select
        order_item_id,
        cast(sum(coalesce(returned_quantity, 0)) as {{ dbt.type_bigint() }}) as returned_quantity,
        sum(refund_amount_reporting) as refund_amount_reporting
    from returns
    where order_item_id is not null
    group by order_item_id
),

final as (
    select
        -- ids
        order_items.order_item_id,
        order_items.order_id,
        order_items.product_id,
        -- product
        products.category,
        products.product_line,
        products.brand,
        products.launched_date,
        products.launched_date is not null
        and cast(orders.ordered_at as date) >= products.launched_date
        and cast(orders.ordered_at as date)
        < {{ dbt.dateadd('day', var('new_collection_window_days'), 'products.launched_date') }}
            as is_new_collection,
        -- quantities
        order_items.quantity,
        least(coalesce(returns_per_line.returned_quantity, 0), order_items.quantity) as returned_quantity,
        -- amounts in the reporting currency
        order_items.unit_price_reporting,
        order_items.quantity * order_items.unit_price_reporting as gross_amount_reporting,
        coalesce(order_items.discount_amount_reporting, 0) as line_discount_amount_reporting,
        order_items.quantity * order_items.unit_price_reporting
        - coalesce(order_items.discount_amount_reporting, 0) as net_amount_reporting,
        coalesce(returns_per_line.refund_amount_reporting, 0) as refund_amount_reporting,
        -- timestamps
        orders.ordered_at,
        -- run metadata
        {{ processed_at() }} as processed_at
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id
    left join returns_per_line
        on order_items.order_item_id = returns_per_line.order_item_id
)

select * from final
