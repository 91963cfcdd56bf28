{#- Typing and validating raw text columns against the raw contract.
    Base models call these on the output of read_raw_table, whose columns are all text. -#}

{#- Blank text is missing text. -#}
{% macro blank_to_null(column_name) -%}
    nullif(trim({{ column_name }}), '')
{%- endmacro %}

{#- Text -> logical contract type; null when the text does not parse. -#}
{% macro cast_to_contract_type(column_name, logical_type) -%}
    {%- set text = blank_to_null(column_name) -%}
    {%- if logical_type == 'string' -%}
        {{ text }}
    {%- elif logical_type == 'timestamp' -%}
        {{ text_to_utc_timestamp(text) }}
    {%- elif logical_type == 'date' -%}
        {{ try_cast_to(text, 'date') }}
    {%- elif logical_type == 'number' -%}
        {{ try_cast_to(text, dbt.type_numeric()) }}
    {%- elif logical_type == 'integer' -%}
        {#- '2.5' is not an integer: parse as a number, keep it only when it is whole. -#}
        case
            when {{ try_cast_to(text, dbt.type_numeric()) }} = floor({{ try_cast_to(text, dbt.type_numeric()) }})
                then cast({{ try_cast_to(text, dbt.type_numeric()) }} as {{ dbt.type_bigint() }})
        end
    {%- elif logical_type == 'boolean' -%}
        case
            when lower({{ text }}) in ('true', 't', 'yes', 'y', '1') then true
            when lower({{ text }}) in ('false', 'f', 'no', 'n', '0') then false
        end
    {%- else -%}
        {{ exceptions.raise_compiler_error("cast_to_contract_type: unknown logical type '" ~ logical_type ~ "' for " ~ column_name) }}
    {%- endif -%}
{%- endmacro %}

{#- ISO-8601 text -> UTC timestamp without zone. Text without a zone is UTC. -#}
{% macro text_to_utc_timestamp(text) -%}
    {{- return(adapter.dispatch('text_to_utc_timestamp', 'segmart')(text)) -}}
{%- endmacro %}

{% macro default__text_to_utc_timestamp(text) -%}
    {{ try_cast_to(text, dbt.type_timestamp()) }}
{%- endmacro %}

{#- DuckDB: parse with the zone (the session zone, UTC, when none), then drop it. -#}
{% macro duckdb__text_to_utc_timestamp(text) -%}
    cast({{ try_cast_to(text, 'timestamptz') }} as timestamp)
{%- endmacro %}

{#- One typed column per contract column, named as in the contract. -#}
{% macro contract_typed_columns(table_name, source_alias) -%}
    {%- for column in raw_contract(table_name) %}
    {{ cast_to_contract_type(source_alias ~ '.' ~ column.name, column.type) }} as {{ column.name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- Reasons a row breaks the contract by itself: required values missing, and values that do not
    parse where the contract says the row is rejected. One reason code per failed check. -#}
{% macro contract_rejections(table_name, source_alias) -%}
    {%- set checks = [] -%}
    {%- for column in raw_contract(table_name) -%}
        {%- set raw_text = blank_to_null(source_alias ~ '.' ~ column.name) -%}
        {%- set typed = cast_to_contract_type(source_alias ~ '.' ~ column.name, column.type) -%}
        {%- if column.required -%}
            {%- do checks.append("case when " ~ raw_text ~ " is null then 'missing_" ~ column.name ~ "' end") -%}
        {%- endif -%}
        {%- if column.type != 'string' and column.on_invalid == 'reject' -%}
            {%- do checks.append("case when " ~ raw_text ~ " is not null and " ~ typed ~ " is null then 'invalid_" ~ column.name ~ "' end") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ join_reasons(checks) }}
{%- endmacro %}

{#- Values that did not parse in columns the contract marks on_invalid: nullify. The row is kept,
    the value is null, and the quarantine lists the row with action 'value_nulled'. -#}
{% macro contract_nullifications(table_name, source_alias) -%}
    {%- set checks = [] -%}
    {%- for column in raw_contract(table_name) if column.on_invalid == 'nullify' -%}
        {%- set raw_text = blank_to_null(source_alias ~ '.' ~ column.name) -%}
        {%- set typed = cast_to_contract_type(source_alias ~ '.' ~ column.name, column.type) -%}
        {%- do checks.append("case when " ~ raw_text ~ " is not null and " ~ typed ~ " is null then 'invalid_" ~ column.name ~ "' end") -%}
    {%- endfor -%}
    {{ join_reasons(checks) }}
{%- endmacro %}

{#- The row's raw values as one JSON text, for the quarantine and for spotting exact replays. -#}
{% macro contract_raw_values(table_name, source_alias) -%}
    {%- set pairs = [] -%}
    {%- for column in raw_contract(table_name) -%}
        {%- do pairs.append((column.name, source_alias ~ '.' ~ column.name)) -%}
    {%- endfor -%}
    {{ json_object_text(pairs) }}
{%- endmacro %}

{% macro json_object_text(pairs) -%}
    {{- return(adapter.dispatch('json_object_text', 'segmart')(pairs)) -}}
{%- endmacro %}

{% macro default__json_object_text(pairs) -%}
    to_json(named_struct(
    {%- for name, expression in pairs %}'{{ name }}', {{ expression }}{% if not loop.last %}, {% endif %}{% endfor -%}
    ))
{%- endmacro %}

{% macro duckdb__json_object_text(pairs) -%}
    cast(json_object(
    {%- for name, expression in pairs %}'{{ name }}', {{ expression }}{% if not loop.last %}, {% endif %}{% endfor -%}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{#- Reason codes (expressions that are a code or null) joined with '; '; null when none apply.
    Empty input -> a typed null. -#}
{% macro join_reasons(expressions) -%}
    {%- if expressions | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        nullif(concat_ws('; ', {{ expressions | join(', ') }}), '')
    {%- endif -%}
{%- endmacro %}

{#- A cast that yields null instead of failing. dbt.safe_cast is a plain cast on DuckDB
    (dbt-duckdb does not override it), so DuckDB gets try_cast here. -#}
{% macro try_cast_to(expression, data_type) -%}
    {{- return(adapter.dispatch('try_cast_to', 'segmart')(expression, data_type)) -}}
{%- endmacro %}

{% macro default__try_cast_to(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast_to(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
