-- One row per k-means cluster: size, centroid in original units (the k-means centre back-transformed from the
-- standardised log1p space, so a typical member rather than a mean pulled by outliers), member means, and the
-- silhouette (mean over the cluster's members in the fixed-seed silhouette sample).
with

clusters as (
    select * from {{ predictive_model_output('int_customers_clustered') }}
),

summaries as (
    select * from {{ ref('int_customers_btyd_summarised') }}
),

members as (
    select
        clusters.*,
        summaries.days_since_last_purchase,
        summaries.purchase_days,
        summaries.purchase_day_value_mean,
        summaries.as_of_date
    from clusters
    inner join summaries
        on clusters.customer_id = summaries.customer_id
    where clusters.cluster_id is not null
),

profiled as (
    select
        cast(cluster_id as {{ dbt.type_int() }}) as cluster_id,
        cast(max(cluster_name) as {{ dbt.type_string() }}) as cluster_name,
        max(as_of_date) as as_of_date,
        cast(count(*) as {{ dbt.type_bigint() }}) as customers,
        cast(max(cluster_count) as {{ dbt.type_int() }}) as cluster_count,
        cast(max(centroid_days_since_last_purchase) as {{ type_double() }}) as centroid_days_since_last_purchase,
        cast(max(centroid_purchase_days) as {{ type_double() }}) as centroid_purchase_days,
        cast(max(centroid_purchase_day_value_mean) as {{ type_double() }}) as centroid_purchase_day_value_mean,
        avg(cast(days_since_last_purchase as {{ type_double() }})) as mean_days_since_last_purchase,
        avg(cast(purchase_days as {{ type_double() }})) as mean_purchase_days,
        avg(purchase_day_value_mean) as mean_purchase_day_value,
        cast(avg(silhouette) as {{ type_double() }}) as silhouette,
        cast(max(silhouette_overall) as {{ type_double() }}) as silhouette_overall
    from members
    group by cluster_id
),

final as (
    select
        profiled.*,
        cast(profiled.customers as {{ type_double() }})
        / cast(sum(profiled.customers) over () as {{ type_double() }}) as customer_share
    from profiled
)

select * from final
