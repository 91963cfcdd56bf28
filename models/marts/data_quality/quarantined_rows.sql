-- Every raw row that broke the contract (quarantine_action 'rejected': not staged) and every row
-- staged with a value nulled because it did not parse ('value_nulled'), with its reasons and its raw
-- values as read from the file. Base models keep only a fingerprint of each row; the raw values of
-- the few rows listed here are looked up again in the raw views by file and fingerprint, reading only the files
-- that hold such rows (listed when the model runs, so the raw views skip every other file).
with

{% for table in raw_tables() %}
    {%- set issue_files = [] -%}
    {%- set base_relation = load_relation(ref('base_shop__' ~ table.name)) if execute else none -%}
    {#- not built yet (compiling or linting a fresh project): nothing to list -#}
    {%- if base_relation is not none -%}
        {%- set listing = run_query(
            "select distinct source_file from " ~ base_relation
            ~ " where (row_status = 'quarantined' or (row_status = 'staged' and nullified_values is not null))"
            ~ " and source_file is not null") -%}
        {%- set issue_files = listing.columns[0].values() | list -%}
    {%- endif %}
    {{ table.name }}_issues as (
        select
            '{{ table.name }}' as source_table,
            cast({{ table.key }} as {{ dbt.type_string() }}) as record_key,
            case when row_status = 'quarantined' then 'rejected' else 'value_nulled' end as quarantine_action,
            case when row_status = 'quarantined' then quarantine_reasons else nullified_values end as reasons,
            row_fingerprint,
            source_file
        from {{ ref('base_shop__' ~ table.name) }}
        where row_status = 'quarantined' or (row_status = 'staged' and nullified_values is not null)
    ),

    {{ table.name }}_issue_rows as (
        select distinct
            source_file,
            row_fingerprint
        from {{ table.name }}_issues
    ),

    {{ table.name }}_fingerprinted as (
        select
            raw_table.*,
            {{ contract_row_fingerprint(table.name, 'raw_table') }} as row_fingerprint
        from {{ source('raw', table.name) }} as raw_table
        where raw_table._source_file in ({{ sql_text_list(issue_files) if issue_files else "''" }})
    ),

    {{ table.name }}_raw_rows as (
        select distinct fingerprinted.*
        from {{ table.name }}_fingerprinted as fingerprinted
        inner join {{ table.name }}_issue_rows as issue_rows
            on
                fingerprinted._source_file = issue_rows.source_file
                and fingerprinted.row_fingerprint = issue_rows.row_fingerprint
    ),

    {{ table.name }}_listed as (
        select
            issues.source_table,
            issues.record_key,
            issues.quarantine_action,
            issues.reasons,
            {{ contract_raw_values(table.name, 'raw_rows') }} as raw_values,
            issues.source_file
        from {{ table.name }}_issues as issues
        inner join {{ table.name }}_raw_rows as raw_rows
            on
                issues.source_file = raw_rows._source_file
                and issues.row_fingerprint = raw_rows.row_fingerprint
    ),

{% endfor %}
unioned as (
    {% for table in raw_tables() %}
        select * from {{ table.name }}_listed
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
