-- One row per identifier (customer id, email, anonymous web id) with the one customer it belongs to.
-- Rules (DECISIONLOG.md, "Identity stitching"):
--   customer_id   -> itself, for every staged customer;
--   email         -> the customer registered with it; shared emails go to the earliest registration;
--   anonymous_id  -> the customer of the earliest web event carrying both that anonymous id and a
--                    known customer id (a login, a signup, or any identified event).
with

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

web_events as (
    select * from {{ ref('stg_shop__web_events') }}
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

-- The first identified event of every anonymous id, found by an aggregate over the events (occurred_at and
-- event_id are never null in staging), not by ranking every event of every anonymous id.
anonymous_ids as (
    select
        'anonymous_id' as identifier_type,
        web_events.anonymous_id as identifier_value,
        {{ value_of_first('web_events.customer_id',
                          ['web_events.occurred_at', 'web_events.customer_id', 'web_events.event_id']) }}
            as customer_id,
        'web_identified' as stitching_rule,
        min(web_events.occurred_at) as first_linked_at
    from web_events
    inner join customers
        on web_events.customer_id = customers.customer_id
    where web_events.anonymous_id is not null
    group by web_events.anonymous_id
),

final as (
    select * from customer_ids
    union all
    select * from customer_emails
    union all
    select * from anonymous_ids
)

select * from final
