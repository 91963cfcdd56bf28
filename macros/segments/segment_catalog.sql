{#- The behavioural tags: column in int_customers_behaviour_tagged, segment name, rule in words and the vars
    the rule reads. customer_segments, customer_segment_memberships and segment_definitions all loop over this
    one list, so a tag is added in one place (plus its SQL rule). -#}
{% macro behaviour_tags() -%}
    {{- return([
        {'column': 'is_one_timer', 'segment': 'one_timer', 'rule': 'exactly 1 purchase', 'vars': []},
        {'column': 'is_loyal', 'segment': 'loyal', 'rule': 'at least lifecycle_loyal_min_orders purchases',
         'vars': ['lifecycle_loyal_min_orders']},
        {'column': 'is_big_spender', 'segment': 'big_spender',
         'rule': 'net revenue in the last 365 days above the mean + big_spender_stddevs standard deviations of customers who bought in that period, and at least their average number of orders',
         'vars': ['big_spender_stddevs']},
        {'column': 'is_coupon_lover', 'segment': 'coupon_lover',
         'rule': 'share of purchases with a discount at least coupon_lover_min_share, and at least coupon_lover_min_orders purchases',
         'vars': ['coupon_lover_min_share', 'coupon_lover_min_orders']},
        {'column': 'is_thrifty', 'segment': 'thrifty',
         'rule': 'coefficient of variation of days between purchases at most thrifty_max_gap_cv, at least thrifty_min_purchase_days purchase days, average order value below the median of purchasers',
         'vars': ['thrifty_max_gap_cv', 'thrifty_min_purchase_days']},
        {'column': 'is_frequent_returner', 'segment': 'frequent_returner',
         'rule': 'returned item share at least frequent_returner_min_share, and at least frequent_returner_min_orders purchases',
         'vars': ['frequent_returner_min_share', 'frequent_returner_min_orders']},
        {'column': 'is_no_returner', 'segment': 'no_returner',
         'rule': 'nothing returned, and at least frequent_returner_min_orders purchases',
         'vars': ['frequent_returner_min_orders']},
        {'column': 'is_cart_abandoner', 'segment': 'cart_abandoner',
         'rule': 'a cart abandoned in the last 30 days and no purchase since',
         'vars': ['cart_abandonment_window_hours']},
        {'column': 'is_indecisive_shopper', 'segment': 'indecisive_shopper',
         'rule': 'no purchase, and at least indecisive_min_product_views product views or indecisive_min_sessions sessions in the last 30 days',
         'vars': ['indecisive_min_product_views', 'indecisive_min_sessions']},
        {'column': 'is_registered_lead', 'segment': 'registered_lead',
         'rule': 'registered and visited, never bought', 'vars': []},
        {'column': 'is_newsletter_reader', 'segment': 'newsletter_reader',
         'rule': 'subscribed, and at least newsletter_reader_min_opens email opens in the last 90 days',
         'vars': ['newsletter_reader_min_opens']},
        {'column': 'is_idle', 'segment': 'idle',
         'rule': 'no purchase, visit or email open for more than idle_after_days days', 'vars': ['idle_after_days']},
        {'column': 'is_trendy', 'segment': 'trendy',
         'rule': 'at least trendy_min_new_collection_share of spend on new-collection items',
         'vars': ['trendy_min_new_collection_share', 'new_collection_window_days']},
        {'column': 'has_low_stock_wishlist', 'segment': 'low_stock_wishlist',
         'rule': 'a wishlisted product with stock at or below low_stock_threshold', 'vars': ['low_stock_threshold']},
    ]) -}}
{%- endmacro %}

{#- 'name=value; name=value' for the vars a rule reads, rendered at compile time. -#}
{% macro vars_in_force(var_names) -%}
    {%- set pairs = [] -%}
    {%- for name in var_names -%}
        {%- do pairs.append(name ~ '=' ~ var(name)) -%}
    {%- endfor -%}
    {{- return(pairs | join('; ')) -}}
{%- endmacro %}
