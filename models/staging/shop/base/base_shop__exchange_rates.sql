-- Every raw exchange-rate row (the optional override of the shipped seed), typed and validated.
with

raw_rates as (
    select * from {{ source('raw', 'exchange_rates') }}
),

typed as (
    select
        {{ contract_typed_columns('exchange_rates', 'raw_rates') }}
        {{ contract_row_fingerprint('exchange_rates', 'raw_rates') }} as row_fingerprint,
        raw_rates._source_file
    from raw_rates
),

checked as (
    select
        *,
        upper(currency) || '|' || cast(rate_date as {{ dbt.type_string() }}) as rate_key,
        {{ join_reasons([
            contract_rejections('exchange_rates'),
            "case when currency is not null and length(currency) <> 3 then 'invalid_currency' end",
            "case when rate_to_reporting <= 0 then 'non_positive_rate' end",
        ]) }} as quarantine_reasons
    from typed
),

with_status as (
    {{ deduplicated_row_status('checked', 'rate_key', deferred_when='rate_date > ' ~ as_of_date()) }}
),

final as (
    select
        -- ids
        rate_key,
        upper(currency) as currency_code,
        -- dates
        rate_date,
        -- amounts
        rate_to_reporting,
        -- row status
        row_status,
        duplicate_kind,
        quarantine_reasons,
        cast(null as {{ dbt.type_string() }}) as nullified_values,
        row_fingerprint,
        _source_file as source_file
    from with_status
)

select * from final
