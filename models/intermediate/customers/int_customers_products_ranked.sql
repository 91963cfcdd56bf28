-- Per customer: the category and product line they spend most on (ties: the alphabetically first),
-- and how many distinct categories they bought. Lines of cancelled orders do not count.
with

order_lines as (
    select * from {{ ref('int_order_items_enriched') }}
),

purchases as (
    select * from {{ ref('int_orders_net_of_returns') }}
    where is_purchase
),

purchased_lines as (
    select
        purchases.customer_id,
        order_lines.category,
        order_lines.product_line,
        order_lines.net_amount_reporting
    from order_lines
    inner join purchases
        on order_lines.order_id = purchases.order_id
),

category_spend as (
    select
        customer_id,
        category,
        sum(net_amount_reporting) as spend_reporting,
        row_number() over (
            partition by customer_id
            order by sum(net_amount_reporting) desc nulls last, category asc
        ) as spend_rank
    from purchased_lines
    where category is not null
    group by customer_id, category
),

product_line_spend as (
    select
        customer_id,
        product_line,
        row_number() over (
            partition by customer_id
            order by sum(net_amount_reporting) desc nulls last, product_line asc
        ) as spend_rank
    from purchased_lines
    where product_line is not null
    group by customer_id, product_line
),

categories_per_customer as (
    select
        customer_id,
        count(*) as distinct_categories
    from category_spend
    group by customer_id
),

final as (
    select
        categories_per_customer.customer_id,
        categories_per_customer.distinct_categories,
        top_category.category as top_category,
        top_product_line.product_line as top_product_line
    from categories_per_customer
    left join category_spend as top_category
        on
            categories_per_customer.customer_id = top_category.customer_id
            and top_category.spend_rank = 1
    left join product_line_spend as top_product_line
        on
            categories_per_customer.customer_id = top_product_line.customer_id
            and top_product_line.spend_rank = 1
)

select * from final
