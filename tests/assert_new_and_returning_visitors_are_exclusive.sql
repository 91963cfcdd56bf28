-- A visitor (anonymous or customer) is a new or a returning visitor, never both.
with

customer_memberships as (
    select
        customer_id as subject_id,
        segment
    from {{ ref('customer_segment_memberships') }}
    where segment_family = 'audience'
),

visitor_memberships as (
    select
        visitor_id as subject_id,
        segment
    from {{ ref('visitor_segment_memberships') }}
    where segment_family = 'audience'
),

memberships as (
    select * from customer_memberships
    union all
    select * from visitor_memberships
),

final as (
    select subject_id
    from memberships
    where segment in ('new_visitor', 'returning_visitor')
    group by subject_id
    having count(*) > 1
)

select * from final
