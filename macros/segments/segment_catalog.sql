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

{#- The lifecycle events: boolean column in int_customers_lifecycle_events_flagged, segment name (family
    lifecycle_event, not exclusive; each pair is exclusive within itself), rule in words, vars read. -#}
{% macro lifecycle_events() -%}
    {{- return([
        {'column': 'is_quick_churn', 'segment': 'quick_churn',
         'rule': 'churned (lifecycle recency status) with exactly 1 purchase', 'vars': []},
        {'column': 'is_late_churn', 'segment': 'late_churn',
         'rule': 'churned (lifecycle recency status) with 2 or more purchases', 'vars': []},
        {'column': 'is_back_from_churn', 'segment': 'back_from_churn',
         'rule': 'latest purchase came more than the churn cut-off (days) after the purchase before it, and not churned since',
         'vars': []},
        {'column': 'is_new_high_potential', 'segment': 'new_high_potential',
         'rule': 'first purchase within the last new_customer_window_days days, first-period measure at or above the top new_high_potential_top_share of new customers',
         'vars': ['new_customer_window_days', 'new_customer_first_period_days', 'new_high_potential_top_share', 'new_potential_measure']},
        {'column': 'is_new_low_potential', 'segment': 'new_low_potential',
         'rule': 'first purchase within the last new_customer_window_days days, first-period measure below the new high-potential threshold',
         'vars': ['new_customer_window_days', 'new_customer_first_period_days', 'new_high_potential_top_share', 'new_potential_measure']},
        {'column': 'has_large_first_basket', 'segment': 'large_first_basket',
         'rule': 'net revenue of the first purchase at or above the large_first_basket_quantile quantile of all first purchases',
         'vars': ['large_first_basket_quantile']},
        {'column': 'has_small_first_basket', 'segment': 'small_first_basket',
         'rule': 'net revenue of the first purchase below the large-first-basket threshold',
         'vars': ['large_first_basket_quantile']},
    ]) -}}
{%- endmacro %}

{#- The campaign audiences (family audience, not exclusive): fixed ones plus one per configured cross-sell
    pair and life-event category. int_customers_audiences_selected builds a boolean column per entry. -#}
{% macro campaign_audiences() -%}
    {%- set audiences = [
        {'column': 'is_recent_purchaser', 'segment': 'recent_purchaser',
         'rule': 'a purchase in the last audience_recent_purchase_days days', 'vars': ['audience_recent_purchase_days']},
        {'column': 'is_lapsed_customer', 'segment': 'lapsed_customer',
         'rule': 'at least one purchase, none in the last audience_lapsed_after_days days',
         'vars': ['audience_lapsed_after_days']},
        {'column': 'has_birthday_this_month', 'segment': 'birthday_this_month',
         'rule': "birthday in the month of as_of_date", 'vars': []},
        {'column': 'has_low_stock_wishlist_alert', 'segment': 'low_stock_wishlist_alert',
         'rule': 'subscribed to email, with a wishlisted product at or below low_stock_threshold in stock',
         'vars': ['low_stock_threshold']},
        {'column': 'is_loyalty_prospect', 'segment': 'loyalty_prospect',
         'rule': 'active buyer (lifecycle recency status active, at least 1 purchase) who is not a loyalty member',
         'vars': []},
        {'column': 'is_returning_visitor', 'segment': 'returning_visitor',
         'rule': 'visited in the last audience_visitor_window_days days, first visit before that window',
         'vars': ['audience_visitor_window_days']},
        {'column': 'is_new_visitor', 'segment': 'new_visitor',
         'rule': 'first visit in the last audience_visitor_window_days days',
         'vars': ['audience_visitor_window_days']},
    ] -%}
    {%- for pair in var('audience_cross_sell_pairs') -%}
        {%- set from_line = safe_segment_name('audience_cross_sell_pairs', pair['from_line']) -%}
        {%- set to_line = safe_segment_name('audience_cross_sell_pairs', pair['to_line']) -%}
        {%- do audiences.append({
            'column': 'is_cross_sell_' ~ from_line ~ '_to_' ~ to_line,
            'segment': 'cross_sell_' ~ from_line ~ '_to_' ~ to_line,
            'rule': 'bought product line ' ~ from_line ~ ', never product line ' ~ to_line,
            'vars': ['audience_cross_sell_pairs'], 'from_line': from_line, 'to_line': to_line,
            'thresholds': 'from_line=' ~ from_line ~ '; to_line=' ~ to_line}) -%}
    {%- endfor -%}
    {%- for event in var('audience_life_event_categories') -%}
        {%- set category = safe_segment_name('audience_life_event_categories', event['category']) -%}
        {%- do audiences.append({
            'column': 'is_life_event_' ~ category,
            'segment': 'life_event_' ~ category,
            'rule': 'first purchase in category ' ~ category ~ ' within the last ' ~ (event['within_days'] | int) ~ ' days',
            'vars': ['audience_life_event_categories'], 'category': category,
            'within_days': event['within_days'] | int,
            'thresholds': 'category=' ~ category ~ '; within_days=' ~ (event['within_days'] | int)}) -%}
    {%- endfor -%}
    {{- return(audiences) -}}
{%- endmacro %}

{#- The visitor segments (anonymous visitors of dim_visitors, not customers): visitor_segment_memberships. -#}
{% macro visitor_segments() -%}
    {{- return([
        {'family': 'behaviour', 'segment': 'curious_browser',
         'rule': 'anonymous visitor seen in the last curious_browser_window_days days with at least curious_browser_min_product_views product views',
         'vars': ['curious_browser_window_days', 'curious_browser_min_product_views']},
        {'family': 'audience', 'segment': 'returning_visitor',
         'rule': 'anonymous visitor seen in the last audience_visitor_window_days days, first seen before that window',
         'vars': ['audience_visitor_window_days']},
        {'family': 'audience', 'segment': 'new_visitor',
         'rule': 'anonymous visitor first seen in the last audience_visitor_window_days days',
         'vars': ['audience_visitor_window_days']},
    ]) -}}
{%- endmacro %}

{#- The profile families: one exclusive family per dim_customers column; a customer without a value is
    'unknown'. Segments are the values found (bands come from vars age_band_upper_bounds and
    income_band_upper_bounds, the rest from seed vocabulary_map and the raw data). -#}
{% macro profile_families() -%}
    {{- return([
        {'family': 'age_band', 'expression': 'age_band', 'source': 'dim_customers.age_band (var age_band_upper_bounds)'},
        {'family': 'gender', 'expression': 'gender', 'source': 'dim_customers.gender (seed vocabulary_map)'},
        {'family': 'region', 'expression': 'region', 'source': 'dim_customers.region'},
        {'family': 'country', 'expression': 'country_code', 'source': 'dim_customers.country_code'},
        {'family': 'income_band', 'expression': 'income_band', 'source': 'dim_customers.income_band (var income_band_upper_bounds)'},
        {'family': 'customer_type', 'expression': 'customer_type', 'source': 'dim_customers.customer_type (seed vocabulary_map)'},
        {'family': 'primary_device', 'expression': 'primary_device_type', 'source': 'dim_customers.primary_device_type (seed vocabulary_map)'},
        {'family': 'primary_channel', 'expression': 'primary_channel', 'source': 'dim_customers.primary_channel (seed vocabulary_map)'},
        {'family': 'loyalty_membership',
         'expression': "case when is_loyalty_member then 'member' when not is_loyalty_member then 'non_member' end",
         'source': 'dim_customers.is_loyalty_member'},
    ]) -}}
{%- endmacro %}

{#- A configured name used inside a segment and column name: lowercase letters, digits and underscores. -#}
{% macro safe_segment_name(var_name, value) -%}
    {%- set text = value | string | trim -%}
    {%- if modules.re.match('^[a-z][a-z0-9_]*$', text) is none -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ var_name ~ ": '" ~ text ~ "' must be lowercase letters, digits and underscores") }}
    {%- endif -%}
    {{- return(text) -}}
{%- endmacro %}

{#- segment_definitions rows for a non-exclusive family whose segments are listed by a catalog macro
    (an entry's own 'family' wins over `family`):
    one select per entry, joined by union all. `computed` maps a segment to a SQL text expression with
    store-wide thresholds computed at build time (read from `from_relation`), appended to its vars. -#}
{% macro registry_rows(family, entries, computed={}, from_relation=none) -%}
    {%- set text = dbt.type_string() -%}
    {%- for entry in entries %}
        {%- set configured = entry.thresholds if entry.thresholds is defined else vars_in_force(entry.vars) %}
        select
            '{{ entry.family if entry.family is defined else family }}' as segment_family,
            '{{ entry.segment }}' as segment,
            false as is_exclusive,
            '{{ dbt.escape_single_quotes(entry.rule) }}' as rule_description,
        {%- if entry.segment in computed %}
            {%- if configured | length > 0 %}
            {{ dbt.concat(["'" ~ dbt.escape_single_quotes(configured ~ '; ') ~ "'", computed[entry.segment]]) }}
                as thresholds_in_force,
            {%- else %}
            {{ computed[entry.segment] }} as thresholds_in_force,
            {%- endif %}
        {%- elif configured | length == 0 %}
            cast(null as {{ text }}) as thresholds_in_force,
        {%- else %}
            '{{ dbt.escape_single_quotes(configured) }}' as thresholds_in_force,
        {%- endif %}
            {% if entry.vars %}'vars {{ entry.vars | join(", ") }}'{% else %}'built in'{% endif %} as configured_by
        {%- if from_relation %}
        from {{ from_relation }}
        {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The predictive families (exclusive): dim_customers column, and for the tiers the segments with their rules;
    'none' when a customer has no prediction (no purchase, or the models could not be fitted). Clusters list the
    cluster names found. -#}
{% macro predictive_families() -%}
    {{- return([
        {'family': 'churn_risk_tier', 'column': 'churn_risk_tier',
         'vars': ['churn_risk_medium_min_probability', 'churn_risk_high_min_probability'],
         'segments': [
            ('high', 'BG/NBD churn probability at or above churn_risk_high_min_probability'),
            ('medium', 'churn probability at or above churn_risk_medium_min_probability, below the high cut-off'),
            ('low', 'churn probability below churn_risk_medium_min_probability (one-time buyers: always low, see docs/predictive.md)'),
            ('none', 'no prediction: no purchase, or the BTYD models could not be fitted'),
         ]},
        {'family': 'predicted_clv_tier', 'column': 'predicted_clv_tier',
         'vars': ['predicted_clv_tier_high_quantile', 'predicted_clv_tier_low_quantile', 'clv_annual_discount_rate'],
         'segments': [
            ('high', 'predicted 365-day CLV above the predicted_clv_tier_high_quantile quantile of customers with a prediction'),
            ('medium', 'predicted 365-day CLV between the two quantiles, inclusive'),
            ('low', 'predicted 365-day CLV below the predicted_clv_tier_low_quantile quantile'),
            ('none', 'no CLV prediction: no purchase, or the models could not be fitted'),
         ]},
        {'family': 'cluster', 'column': 'cluster_name', 'vars': ['cluster_k_min', 'cluster_k_max', 'cluster_random_seed'],
         'segments': none},
    ]) -}}
{%- endmacro %}

{#- An empty select with the registry's columns: ends a loop of "select ... union all" blocks. -#}
{% macro no_registry_rows() -%}
    select
        null as segment_family,
        null as segment,
        null as is_exclusive,
        null as rule_description,
        null as thresholds_in_force,
        null as configured_by
    where 1 = 0
{%- endmacro %}
