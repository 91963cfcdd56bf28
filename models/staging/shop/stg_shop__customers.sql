with

customers as (
    select * from {{ ref('base_shop__customers') }}
    where row_status = 'staged'
),

final as (
    select
        -- ids
        customer_id,
        -- contact (PII: stays in staging)
        email,
        first_name,
        last_name,
        -- profile
        birth_date,
        gender,
        country_code,
        region,
        city,
        postal_code,
        customer_type,
        household_income as household_income_reporting,
        accepts_marketing,
        loyalty_member_since as loyalty_member_since_date,
        acquisition_channel,
        -- timestamps
        created_at,
        updated_at
    from customers
)

select * from final
