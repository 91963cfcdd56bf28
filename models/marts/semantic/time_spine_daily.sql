-- One row per day, the time spine MetricFlow (the dbt semantic layer) joins metrics to: from var
-- time_spine_start_date to var time_spine_days_after_as_of days after as_of_date.
with

days as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('time_spine_start_date') ~ "' as date)",
        dbt.dateadd('day', var('time_spine_days_after_as_of') | int, as_of_date()),
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
