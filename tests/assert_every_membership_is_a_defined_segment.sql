-- Every segment a customer is in must be in the registry, and every exclusive family must hold every customer.
with

memberships as (
    select * from {{ ref('customer_segment_memberships') }}
),

definitions as (
    select * from {{ ref('segment_definitions') }}
    where segment_subject = 'customer'
),

customers as (
    select customer_id from {{ ref('dim_customers') }}
),

undefined_segments as (
    select
        memberships.segment_family,
        memberships.segment,
        'segment not in segment_definitions' as problem
    from memberships
    left join definitions
        on
            memberships.segment_family = definitions.segment_family
            and memberships.segment = definitions.segment
    where definitions.segment is null
),

families as (
    select distinct segment_family from definitions
    where is_exclusive
),

customers_missing_a_family as (
    select
        families.segment_family,
        customers.customer_id as segment,
        'customer without a segment in an exclusive family' as problem
    from customers
    cross join families
    left join memberships
        on
            customers.customer_id = memberships.customer_id
            and families.segment_family = memberships.segment_family
    where memberships.customer_id is null
)

select * from undefined_segments
union all
select * from customers_missing_a_family
