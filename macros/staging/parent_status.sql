{#- One row per order id seen in base_shop__orders, with the status a child row (order line,
    return) inherits: 'staged' or 'deferred' (its current version's status) or 'quarantined'
    (only quarantined rows carry that id), and the order's rate into the reporting currency. -#}
{% macro order_parent_status(orders_relation) -%}
    select
        order_id,
        coalesce(
            max(case when is_current_version then row_status end),
            max(case when row_status = 'quarantined' then 'quarantined' end)
        ) as parent_status,
        max(case when is_current_version then rate_to_reporting end) as rate_to_reporting
    from {{ orders_relation }}
    where order_id is not null
    group by order_id
{%- endmacro %}
