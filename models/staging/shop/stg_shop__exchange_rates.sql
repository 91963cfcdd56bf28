-- Rates into the reporting currency as validity intervals, one row per currency and period.
-- A currency present in the raw exchange_rates table takes all its rates from there; other
-- currencies use the shipped seed, crossed through USD into the reporting currency.
with

raw_rates as (
    select * from {{ ref('base_shop__exchange_rates') }}
    where row_status = 'staged'
),

seed_rates as (
    select * from {{ ref('exchange_rates_default') }}
),

seed_rates_in_reporting_currency as (
    select
        seed_rates.currency_code,
        seed_rates.rate_date,
        cast(seed_rates.rate_to_usd as {{ type_double() }})
        / cast(reporting.rate_to_usd as {{ type_double() }}) as rate_to_reporting,
        'seed' as rate_source
    from seed_rates
    inner join seed_rates as reporting
        on
            seed_rates.rate_date = reporting.rate_date
            and reporting.currency_code = '{{ var("reporting_currency") }}'
    where seed_rates.currency_code not in (select raw_rates.currency_code from raw_rates)
),

reporting_currency_identity as (
    select
        '{{ var("reporting_currency") }}' as currency_code,
        cast('1900-01-01' as date) as rate_date,
        cast(1 as {{ type_double() }}) as rate_to_reporting,
        'identity' as rate_source
),

all_rates as (
    select
        currency_code,
        rate_date,
        cast(rate_to_reporting as {{ type_double() }}) as rate_to_reporting,
        'raw' as rate_source
    from raw_rates
    union all
    select * from seed_rates_in_reporting_currency
    union all
    select * from reporting_currency_identity
    where '{{ var("reporting_currency") }}' not in (select raw_rates.currency_code from raw_rates)
),

final as (
    select
        -- ids
        currency_code,
        -- dates: the first rate of a currency also covers everything before it
        case
            when row_number() over (partition by currency_code order by rate_date asc nulls last) = 1
                then cast('1900-01-01' as date)
            else rate_date
        end as valid_from_date,
        coalesce(
            lead(rate_date) over (partition by currency_code order by rate_date asc nulls last),
            cast('9999-12-31' as date)
        ) as valid_to_date,
        rate_date,
        -- amounts
        rate_to_reporting,
        rate_source
    from all_rates
)

select * from final
