-- Within an exclusive family the customer shares add up to 1 and the members to all customers.
with

summary as (
    select * from {{ ref('segment_summary') }}
),

exclusive_families as (
    select distinct segment_family from {{ ref('segment_definitions') }}
    where is_exclusive
),

customers as (
    select count(*) as customers from {{ ref('dim_customers') }}
),

per_family as (
    select
        segment_family,
        sum(customer_share) as total_share,
        sum(customers) as members
    from summary
    where segment_family in (select exclusive_families.segment_family from exclusive_families)
    group by segment_family
)

select
    per_family.segment_family,
    per_family.total_share,
    per_family.members,
    customers.customers
from per_family
cross join customers
where abs(per_family.total_share - 1) > 0.000001 or per_family.members <> customers.customers
