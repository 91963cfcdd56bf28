-- Per raw table: every row read is staged, quarantined, a duplicate or deferred - nothing else.
-- raw_rows is counted from the files again, staged_rows from the staging model, so a fan-out or
-- a lost row anywhere in between shows up as is_balanced = false.
with

{% for table in raw_tables() %}
    {{ table.name }}_raw as (
        select cast(count(*) as {{ dbt.type_bigint() }}) as raw_rows from {{ source('raw', table.name) }}
    ),

    {{ table.name }}_statuses as (
        select
            cast(sum(case when row_status = 'staged' then 1 else 0 end) as {{ dbt.type_bigint() }}) as staged_in_base,
            cast(sum(case when row_status = 'quarantined' then 1 else 0 end) as {{ dbt.type_bigint() }})
                as quarantined_rows,
            cast(sum(case when row_status = 'duplicate' then 1 else 0 end) as {{ dbt.type_bigint() }})
                as duplicate_rows,
            cast(sum(case when duplicate_kind = 'exact_replay' then 1 else 0 end) as {{ dbt.type_bigint() }})
                as exact_replay_rows,
            cast(sum(case when duplicate_kind = 'superseded_version' then 1 else 0 end) as {{ dbt.type_bigint() }})
                as superseded_version_rows,
            cast(sum(case when row_status = 'deferred' then 1 else 0 end) as {{ dbt.type_bigint() }}) as deferred_rows,
            cast(
                sum(
                    case when row_status = 'staged' and nullified_values is not null then 1 else 0 end
                ) as {{ dbt.type_bigint() }}
            )
                as value_nulled_rows
        from {{ ref('base_shop__' ~ table.name) }}
    ),

    {{ table.name }}_staged as (
        {% if table.staged_model is none %}
            select coalesce(staged_in_base, 0) as staged_rows from {{ table.name }}_statuses
        {% else %}
            select cast(count(*) as {{ dbt.type_bigint() }}) as staged_rows from {{ ref(table.staged_model) }}
        {% endif %}
    ),

    {{ table.name }}_counts as (
        select
            '{{ table.name }}' as source_table,
            {{ table.name }}_raw.raw_rows,
            {{ table.name }}_staged.staged_rows,
            coalesce({{ table.name }}_statuses.quarantined_rows, 0) as quarantined_rows,
            coalesce({{ table.name }}_statuses.duplicate_rows, 0) as duplicate_rows,
            coalesce({{ table.name }}_statuses.exact_replay_rows, 0) as exact_replay_rows,
            coalesce({{ table.name }}_statuses.superseded_version_rows, 0) as superseded_version_rows,
            coalesce({{ table.name }}_statuses.deferred_rows, 0) as deferred_rows,
            coalesce({{ table.name }}_statuses.value_nulled_rows, 0) as value_nulled_rows
        from {{ table.name }}_raw
        cross join {{ table.name }}_staged
        cross join {{ table.name }}_statuses
    ),

{% endfor %}
unioned as (
    {% for table in raw_tables() %}
        select * from {{ table.name }}_counts
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        source_table,
        raw_rows,
        staged_rows,
        quarantined_rows,
        duplicate_rows,
        exact_replay_rows,
        superseded_version_rows,
        deferred_rows,
        value_nulled_rows,
        case
            when raw_rows = 0 then 0
            else cast(quarantined_rows as {{ type_double() }}) / cast(raw_rows as {{ type_double() }})
        end as quarantined_share,
        raw_rows = staged_rows + quarantined_rows + duplicate_rows + deferred_rows as is_balanced,
        {{ as_of_date() }} as as_of_date
    from unioned
)

select * from final
