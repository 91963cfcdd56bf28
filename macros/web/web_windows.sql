{#- Web activity windows. "The last N days" is the N days ending at the end of as_of_date:
    an event counts when occurred_at >= web_window_start_at(N) (and, being staged, occurred_at < as_of_cutoff_at()).
    With as_of_date 2026-10-31, the last 30 days start at 2026-10-02 00:00:00 UTC. -#}
{% macro web_window_start_at(days) -%}
    {{ dbt.dateadd('day', -1 * (days | int), as_of_cutoff_at()) }}
{%- endmacro %}

{#- The instant a cart is abandoned when nothing is bought: its last add to cart plus
    var('cart_abandonment_window_hours'). A purchase at or before it converts the cart. -#}
{% macro cart_abandoned_at(last_added_at) -%}
    {{ dbt.dateadd('hour', var('cart_abandonment_window_hours') | int, last_added_at) }}
{%- endmacro %}
