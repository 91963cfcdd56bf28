-- Every raw row that broke the contract (action 'rejected': not staged) and every row staged
-- with a value nulled because it did not parse (action 'value_nulled'), with its reasons and
-- its raw values as read from the file.
with

{% for table in raw_tables() %}
    {{ table.name }}_issues as (
        select
            '{{ table.name }}' as source_table,
            cast({{ table.key }} as {{ dbt.type_string() }}) as record_key,
            case when row_status = 'quarantined' then 'rejected' else 'value_nulled' end as quarantine_action,
            case when row_status = 'quarantined' then quarantine_reasons else nullified_values end as reasons,
            raw_values,
            source_file
        from {{ ref('base_shop__' ~ table.name) }}
        where row_status = 'quarantined' or (row_status = 'staged' and nullified_values is not null)
    ),

{% endfor %}
unioned as (
    {% for table in raw_tables() %}
        select * from {{ table.name }}_issues
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        source_table,
        record_key,
        quarantine_action,
        reasons,
        raw_values,
        source_file,
        {{ as_of_date() }} as as_of_date
    from unioned
)

select * from final
