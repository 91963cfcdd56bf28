-- One row per customer of dim_customers with one boolean per campaign audience (never null), as of
-- as_of_date. The audiences and their vars are listed in macros/segments/segment_catalog.sql
-- (campaign_audiences); cross-sell pairs and life-event categories come from vars, one column each.
-- Windows use within_last_days: "the last 30 days" are the 30 days ending with as_of_date.
{%- set audiences = campaign_audiences() %}
{%- set cross_sells = audiences | selectattr('from_line', 'defined') | list %}
{%- set life_events = audiences | selectattr('category', 'defined') | list %}
{%- set lines = [] %}
{%- for audience in cross_sells %}
    {%- for line in [audience.from_line, audience.to_line] if line not in lines %}
        {%- do lines.append(line) %}
    {%- endfor %}
{%- endfor %}
{%- set recent_days = var('audience_recent_purchase_days') | int %}
{%- set lapsed_days = var('audience_lapsed_after_days') | int %}
{%- set visitor_days = var('audience_visitor_window_days') | int %}
with

customers as (
    select * from {{ ref('dim_customers') }}
),

lifecycle as (
    select * from {{ ref('int_customers_lifecycle_staged') }}
),

order_items as (
    select * from {{ ref('fct_order_items') }}
    where is_purchase
),

-- per customer: which configured product lines were bought, and when each life-event category was
-- first bought
customer_purchase_history as (
    select
        customer_id,
        {%- for line in lines %}
            max(case when product_line = '{{ line }}' then 1 else 0 end) as bought_line_{{ line }},
        {%- endfor %}
        {%- for audience in life_events %}
            min(case when category = '{{ audience.category }}' then ordered_at end)
                as first_{{ audience.category }}_purchase_at,
        {%- endfor %}
        count(*) as purchased_lines
    from order_items
    group by customer_id
),

selected as (
    select
        customers.customer_id,
        coalesce({{ within_last_days('customers.last_order_date', recent_days) }}, false) as is_recent_purchaser,
        coalesce(
            customers.order_count > 0
            and not {{ within_last_days('customers.last_order_date', lapsed_days) }},
            false
        ) as is_lapsed_customer,
        coalesce(customers.birthday_month = extract(month from {{ as_of_date() }}), false)
            as has_birthday_this_month,
        coalesce(customers.is_subscribed and customers.low_stock_wishlist_items > 0, false)
            as has_low_stock_wishlist_alert,
        coalesce(
            lifecycle.recency_status = 'active'
            and customers.order_count > 0
            and not customers.is_loyalty_member,
            false
        ) as is_loyalty_prospect,
        coalesce(
            {{ within_last_days('customers.last_seen_at', visitor_days) }}
            and not {{ within_last_days('customers.first_seen_at', visitor_days) }},
            false
        ) as is_returning_visitor,
        coalesce({{ within_last_days('customers.first_seen_at', visitor_days) }}, false) as is_new_visitor,
        {%- for audience in cross_sells %}
            coalesce(
                customer_purchase_history.bought_line_{{ audience.from_line }} = 1
                and customer_purchase_history.bought_line_{{ audience.to_line }} = 0,
                false
            ) as {{ audience.column }},
        {%- endfor %}
        {%- for audience in life_events %}
            coalesce(
                {{ within_last_days(
                    'customer_purchase_history.first_' ~ audience.category ~ '_purchase_at', audience.within_days) }},
                false
            ) as {{ audience.column }},
        {%- endfor %}
        customers.as_of_date
    from customers
    left join lifecycle
        on customers.customer_id = lifecycle.customer_id
    left join customer_purchase_history
        on customers.customer_id = customer_purchase_history.customer_id
),

final as (
    select
        customer_id,
        {%- for audience in audiences %}
            {{ audience.column }},
        {%- endfor %}
        as_of_date
    from selected
)

select * from final
