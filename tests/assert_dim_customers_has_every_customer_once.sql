-- One dim_customers row per staged customer: customers with no orders, events or emails included.
select
    stg.customer_id,
    count(dim.customer_id) as dim_rows
from {{ ref('stg_shop__customers') }} as stg
left join {{ ref('dim_customers') }} as dim
    on stg.customer_id = dim.customer_id
group by stg.customer_id
having count(dim.customer_id) <> 1
