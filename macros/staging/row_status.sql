{#- Gives every raw row exactly one status, so reconciliation can prove nothing is lost:
      quarantined  the row breaks the contract (quarantine_reasons is not null);
      duplicate    an exact replay of a row already read, or a version superseded by a later one;
      deferred     valid, but dated after as_of_date (or a version written after it): left out of
                   this build, not an error - a later as_of_date stages it;
      staged       the one current version of the key, as of as_of_date.
    Version choice per key: the latest version written on or before as_of_date; when every version
    was written after it, the earliest; ties broken by the later file, then the row's content.
    `input_relation` must have quarantine_reasons, row_fingerprint and _source_file columns. -#}
{% macro deduplicated_row_status(input_relation, key_column, version_column=none, deferred_when=none) -%}
    {%- set cutoff = as_of_cutoff_at() -%}
    {%- if version_column is none -%}
        {%- set version_is_late = 'false' -%}
        {%- set version_order = '' -%}
    {%- else -%}
        {%- set version_is_late = '(' ~ version_column ~ ' is not null and ' ~ version_column ~ ' >= ' ~ cutoff ~ ')' -%}
        {%- set version_order = 'case when ' ~ version_is_late ~ ' then 1 else 0 end, '
            ~ 'case when ' ~ version_is_late ~ ' then null else ' ~ version_column ~ ' end desc nulls last, '
            ~ version_column ~ ' asc nulls last, ' -%}
    {%- endif -%}
    select
        ranked.*,
        case
            when ranked.quarantine_reasons is not null then 'quarantined'
            when ranked.replay_rank > 1 then 'duplicate'
            when ranked.version_rank > 1 and {{ version_is_late }} then 'deferred'
            when ranked.version_rank > 1 then 'duplicate'
            {%- if deferred_when is not none %}
            when {{ deferred_when }} then 'deferred'
            {%- endif %}
            else 'staged'
        end as row_status,
        case
            when ranked.quarantine_reasons is null and ranked.replay_rank > 1 then 'exact_replay'
            when ranked.quarantine_reasons is null and ranked.version_rank > 1 and not {{ version_is_late }}
                then 'superseded_version'
        end as duplicate_kind
    from (
        -- Most keys have one valid row: they need no ranking. Ranking only the rows of keys that
        -- repeat keeps the window functions off the bulk of the table (they sort every column).
        select
            single_rows.*,
            1 as replay_rank,
            1 as version_rank
        from {{ input_relation }} as single_rows
        left join ({{ repeated_valid_keys(input_relation, key_column) }}) as repeated_keys
            on single_rows.{{ key_column }} = repeated_keys.repeated_key
        where single_rows.quarantine_reasons is not null or repeated_keys.repeated_key is null

        union all

        select
            replays.*,
            row_number() over (
                partition by replays.replay_rank = 1, replays.{{ key_column }}
                order by {{ version_order }}replays._source_file desc nulls last, replays.row_fingerprint desc nulls last
            ) as version_rank
        from (
            select
                input_rows.*,
                row_number() over (
                    partition by input_rows.{{ key_column }}, input_rows.row_fingerprint
                    order by input_rows._source_file asc nulls last
                ) as replay_rank
            from {{ input_relation }} as input_rows
            inner join ({{ repeated_valid_keys(input_relation, key_column) }}) as repeated_keys
                on input_rows.{{ key_column }} = repeated_keys.repeated_key
            where input_rows.quarantine_reasons is null
        ) as replays
    ) as ranked
{%- endmacro %}

{#- The keys that more than one valid row carries: the only keys that need ranking. -#}
{% macro repeated_valid_keys(input_relation, key_column) -%}
    select {{ key_column }} as repeated_key
    from {{ input_relation }}
    where quarantine_reasons is null
    group by {{ key_column }}
    having count(*) > 1
{%- endmacro %}
