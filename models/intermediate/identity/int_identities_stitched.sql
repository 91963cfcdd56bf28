-- One row per identifier (customer id, email, anonymous web id) with the one customer it belongs to.
-- Rules (DECISIONLOG.md, "Identity stitching"):
--   customer_id   -> itself, for every staged customer;
--   email         -> the customer registered with it; shared emails go to the earliest registration;
--   anonymous_id  -> the customer of the earliest web event carrying both that anonymous id and a
--                    known customer id (a login, a signup, or any identified event).
-- The anonymous ids' first events per customer are kept incrementally (int_anonymous_ids_paired): the earliest pair
-- whose customer is staged is the earliest such event.
with

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

anonymous_id_pairs as (
    select * from {{ ref('int_anonymous_ids_paired') }}
    where customer_id is not null
),

customer_ids as (
    select
        'customer_id' as identifier_type,
        customer_id as identifier_value,
        customer_id,
        'registered_customer' as stitching_rule,
        created_at as first_linked_at
    from customers
),

emails_ranked as (
    select
        email,
        customer_id,
        created_at,
        row_number() over (
            partition by email
            order by created_at asc nulls last, customer_id asc
        ) as registration_rank
    from customers
    where email is not null
),

customer_emails as (
    select
        'email' as identifier_type,
        email as identifier_value,
        customer_id,
        'customer_email' as stitching_rule,
        created_at as first_linked_at
    from emails_ranked
    where registration_rank = 1
),

-- The first identified event of every anonymous id: among its pairs with a staged customer, the earliest (ties
-- to the smaller customer id, then event id, as an order over the events themselves would break them).
anonymous_ids as (
    select
        'anonymous_id' as identifier_type,
        anonymous_id_pairs.anonymous_id as identifier_value,
        {{ value_of_first('anonymous_id_pairs.customer_id', [
            'anonymous_id_pairs.first_seen_together_at',
            'anonymous_id_pairs.customer_id',
            'anonymous_id_pairs.first_event_id',
        ]) }} as customer_id,
        'web_identified' as stitching_rule,
        min(anonymous_id_pairs.first_seen_together_at) as first_linked_at
    from anonymous_id_pairs
    inner join customers
        on anonymous_id_pairs.customer_id = customers.customer_id
    group by anonymous_id_pairs.anonymous_id
),

final as (
    select * from customer_ids
    union all
    select * from customer_emails
    union all
    select * from anonymous_ids
)

select * from final
