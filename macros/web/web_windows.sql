{#- The instant a cart is abandoned when nothing is bought: its last add to cart plus
    var('cart_abandonment_window_hours'). A purchase at or before it converts the cart. -#}
{% macro cart_abandoned_at(last_added_at) -%}
    {{ dbt.dateadd('hour', var('cart_abandonment_window_hours') | int, last_added_at) }}
{%- endmacro %}
