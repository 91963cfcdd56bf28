{#- dbt.datediff on Spark, as a 64-bit integer. dbt-spark's own version returns Spark's int (datediff) where
    DuckDB's date_diff returns a bigint, so every day count in a contract (days_since_signup, tenure_days, ...)
    would break the contract's bigint on Spark only. Same values, one type on both engines. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    cast({{ dbt.spark__datediff(first_date, second_date, datepart) }} as {{ dbt.type_bigint() }})
{%- endmacro %}
