{#- The output of a predictive Python model (int_btyd_models_fitted, int_customers_btyd_scored,
    int_customers_clustered), for the SQL marts that read it.

    dbt runs Python models on DuckDB (in-process pandas) and, among Spark connections, only on Databricks; with
    dbt-spark's session, thrift or odbc methods they cannot run, so dbt_project.yml disables them on target type
    spark. There the marts read an empty relation with the model's columns instead: no fit, no predictions, no
    clusters; every prediction column of customer_predictions and dim_customers is null and the predictive
    families (churn_risk_tier, predicted_clv_tier, cluster) are 'none'. docs/spark.md gives the alternative
    (the predictive step on DuckDB). -#}
{% macro predictive_model_output(model_name) -%}
    {{- return(adapter.dispatch('predictive_model_output', 'segmart')(model_name)) -}}
{%- endmacro %}

{% macro default__predictive_model_output(model_name) -%}
    {{- return(ref(model_name)) -}}
{%- endmacro %}

{% macro spark__predictive_model_output(model_name) -%}
    {%- if execute -%}
        {{ log("segmart: " ~ model_name ~ " is a dbt Python model, which dbt-spark runs only on Databricks; "
            ~ this.identifier ~ " reads an empty stand-in (no predictions, predictive families 'none'). "
            ~ "See docs/spark.md for running the predictive step on DuckDB.", info=true) }}
    {%- endif -%}
    {%- set columns = predictive_model_columns()[model_name] -%}
    {%- set typed_nulls = [] -%}
    {%- for name, data_type in columns -%}
        {%- do typed_nulls.append('cast(null as ' ~ data_type ~ ') as ' ~ name) -%}
    {%- endfor -%}
    {{- return('(select ' ~ typed_nulls | join(', ') ~ ' where 1 = 0)') -}}
{%- endmacro %}

{#- The columns the SQL marts read from each predictive Python model, with their types (as documented in
    models/intermediate/predictive/_predictive__models.yml). -#}
{% macro predictive_model_columns() -%}
    {%- set text = dbt.type_string() -%}
    {%- set number = type_double() -%}
    {%- set count = dbt.type_bigint() -%}
    {%- set centroids = [] -%}
    {%- for feature in ['days_since_last_purchase', 'purchase_days', 'purchase_day_value_mean'] + var('cluster_extra_features', []) -%}
        {%- do centroids.append(('centroid_' ~ feature, number)) -%}
    {%- endfor -%}
    {{- return({
        'int_btyd_models_fitted': [
            ('model', text), ('parameter', text), ('value', number), ('log_likelihood', number),
            ('customers_used', count), ('customers_in_base', count), ('repeat_buyers', count),
            ('is_converged', 'boolean'), ('fit_status', text), ('fit_message', text), ('as_of_date', 'date'),
            ('fit_settings', text),
        ],
        'int_customers_btyd_scored': [
            ('customer_id', text), ('probability_alive', number), ('expected_purchases_next_30_days', number),
            ('expected_purchases_next_90_days', number), ('expected_purchases_next_365_days', number),
            ('expected_average_order_value', number), ('predicted_clv_365d', number), ('prediction_status', text),
        ],
        'int_customers_clustered': [
            ('customer_id', text), ('cluster_id', dbt.type_int()), ('cluster_name', text), ('cluster_count', count),
            ('silhouette', number), ('silhouette_overall', number),
        ] + centroids + [('cluster_model', text)],
    }) -}}
{%- endmacro %}
