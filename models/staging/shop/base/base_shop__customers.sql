-- Every raw customer row, typed, validated and given one row_status.
with

raw_customers as (
    select * from {{ source('raw', 'customers') }}
),

vocabulary as (
    select * from {{ ref('vocabulary_map') }}
),

typed as (
    select
        {{ contract_typed_columns('customers', 'raw_customers') }}
        {{ contract_row_fingerprint('customers', 'raw_customers') }} as row_fingerprint,
        raw_customers._source_file
    from raw_customers
),

normalised as (
    select
        typed.*,
        lower(typed.email) as email_normalised,
        upper(typed.country_code) as country_code_normalised,
        coalesce(gender_map.value, 'unknown') as gender_normalised,
        coalesce(customer_type_map.value, '{{ var("unmapped_vocabulary_value") }}') as customer_type_normalised
    from typed
    left join vocabulary as gender_map
        on gender_map.domain = 'gender' and gender_map.raw_value = lower(typed.gender)
    left join vocabulary as customer_type_map
        on customer_type_map.domain = 'customer_type' and customer_type_map.raw_value = lower(typed.customer_type)
),

checked as (
    select
        *,
        {{ join_reasons([
            contract_rejections('customers'),
            "case when created_at > " ~ wall_clock_limit_at() ~ " then 'future_created_at' end",
        ]) }} as quarantine_reasons,
        {{ join_reasons([
            contract_nullifications('customers'),
            "case when country_code is not null and length(country_code) <> 2 then 'invalid_country_code' end",
        ]) }} as nullified_values
    from normalised
),

with_status as (
    {{ deduplicated_row_status(
        'checked', 'customer_id',
        version_column='updated_at',
        deferred_when='created_at >= ' ~ as_of_cutoff_at()) }}
),

final as (
    select
        -- ids
        customer_id,
        -- attributes
        email_normalised as email,
        first_name,
        last_name,
        birth_date,
        gender_normalised as gender,
        case when length(country_code_normalised) = 2 then country_code_normalised end as country_code,
        region,
        city,
        postal_code,
        customer_type_normalised as customer_type,
        household_income,
        accepts_marketing,
        loyalty_member_since,
        acquisition_channel,
        -- timestamps
        created_at,
        updated_at,
        -- row status
        row_status,
        duplicate_kind,
        quarantine_reasons,
        nullified_values,
        row_fingerprint,
        _source_file as source_file
    from with_status
)

select * from final
