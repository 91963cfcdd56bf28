{#- The raw tables and, for each, its base model's key column and the staging model that holds
    its staged rows. Quarantine and reconciliation loop over this one list. -#}
{% macro raw_tables() -%}
    {{- return([
        {'name': 'customers', 'key': 'customer_id', 'staged_model': 'stg_shop__customers'},
        {'name': 'products', 'key': 'product_id', 'staged_model': 'stg_shop__products'},
        {'name': 'orders', 'key': 'order_id', 'staged_model': 'stg_shop__orders'},
        {'name': 'order_items', 'key': 'order_item_id', 'staged_model': 'stg_shop__order_items'},
        {'name': 'returns', 'key': 'return_id', 'staged_model': 'stg_shop__returns'},
        {'name': 'web_events', 'key': 'event_id', 'staged_model': 'stg_shop__web_events'},
        {'name': 'email_events', 'key': 'event_id', 'staged_model': 'stg_shop__email_events'},
        {'name': 'exchange_rates', 'key': 'rate_key', 'staged_model': none},
    ]) -}}
{%- endmacro %}
