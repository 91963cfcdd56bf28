-- Each order date must find at most one rate, or orders would fan out in base_shop__orders.
select
    earlier.currency_code,
    earlier.valid_from_date,
    later.valid_from_date as overlapping_from_date
from {{ ref('stg_shop__exchange_rates') }} as earlier
inner join {{ ref('stg_shop__exchange_rates') }} as later
    on
        earlier.currency_code = later.currency_code
        and earlier.valid_from_date < later.valid_from_date
        and earlier.valid_to_date > later.valid_from_date
