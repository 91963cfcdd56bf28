-- One row per purchaser: its k-means cluster (1 = the highest mean monetary value), the cluster's name and the
-- features it was clustered on, in original units. Cluster columns are null when clustering was impossible.
with

summaries as (
    select * from {{ ref('int_customers_btyd_summarised') }}
),

clusters as (
    select * from {{ predictive_model_output('int_customers_clustered') }}
),

final as (
    select
        summaries.customer_id,
        summaries.as_of_date,
        cast(clusters.cluster_id as {{ dbt.type_int() }}) as cluster_id,
        cast(clusters.cluster_name as {{ dbt.type_string() }}) as cluster_name,
        summaries.days_since_last_purchase,
        summaries.purchase_days,
        summaries.purchase_day_value_mean,
        cast(clusters.silhouette as {{ type_double() }}) as silhouette
    from summaries
    left join clusters
        on summaries.customer_id = clusters.customer_id
)

select * from final
