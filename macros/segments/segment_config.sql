{#- Segment catalog settings: typed, validated access to the vars declared (with their defaults) in
    dbt_project.yml. -#}

{#- The RFM segment map in force: a map_name of seed rfm_segment_maps. -#}
{% macro rfm_segment_map() -%}
    {{- return(var('rfm_segment_map')) -}}
{%- endmacro %}

{#- Number of RFM score levels (quintiles). Scores run 1..rfm_score_levels(); the seed's bounds and the
    tests assume 5, so this is a named constant, not a var. -#}
{% macro rfm_score_levels() -%}
    {{- return(5) -}}
{%- endmacro %}

{#- Lifecycle order stages: a customer with at least this many orders is 'loyal'. -#}
{% macro lifecycle_loyal_min_orders() -%}
    {{- return(var('lifecycle_loyal_min_orders') | int) -}}
{%- endmacro %}

{#- Quantiles of the store's repurchase gaps that calibrate the recency cut-offs. -#}
{% macro lifecycle_active_quantile() -%}
    {{- return(validated_quantile('lifecycle_active_quantile', var('lifecycle_active_quantile'))) -}}
{%- endmacro %}

{% macro lifecycle_churn_quantile() -%}
    {{- return(validated_quantile('lifecycle_churn_quantile', var('lifecycle_churn_quantile'))) -}}
{%- endmacro %}

{#- Overrides in days (none = calibrate from the repurchase gaps). -#}
{% macro lifecycle_active_max_days_override() -%}
    {{- return(optional_days('lifecycle_active_max_days', var('lifecycle_active_max_days'))) -}}
{%- endmacro %}

{% macro lifecycle_churn_after_days_override() -%}
    {{- return(optional_days('lifecycle_churn_after_days', var('lifecycle_churn_after_days'))) -}}
{%- endmacro %}

{#- Fallbacks when no customer has two purchase days (nothing to calibrate on). -#}
{% macro lifecycle_default_active_max_days() -%}
    {{- return(var('lifecycle_default_active_max_days') | int) -}}
{%- endmacro %}

{% macro lifecycle_default_churn_after_days() -%}
    {{- return(var('lifecycle_default_churn_after_days') | int) -}}
{%- endmacro %}

{% macro validated_quantile(name, value) -%}
    {%- set quantile = value | float -%}
    {%- if quantile <= 0 or quantile > 1 -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be in (0, 1], got '" ~ value ~ "'") }}
    {%- endif -%}
    {{- return(quantile) -}}
{%- endmacro %}

{% macro optional_days(name, value) -%}
    {%- if value is none or value | string | trim in ('', 'none', 'None', 'null') -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set days = value | int(-1) -%}
    {%- if days < 0 or days | string != value | string | trim -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a whole number of days >= 0 or null, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{- return(days) -}}
{%- endmacro %}
