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
        {{ try_cast_to(text, type_contract_number()) }}
    {%- elif logical_type == 'integer' -%}
        {#- '2.5' is not an integer (a plain cast would round it): text with a decimal point is kept
            only when it is whole. -#}
        case
            when {{ dbt.position("'.'", text) }} = 0 then {{ try_cast_to(text, dbt.type_bigint()) }}
            when {{ try_cast_to(text, type_contract_number()) }} = floor({{ try_cast_to(text, type_contract_number()) }})
                then cast({{ try_cast_to(text, type_contract_number()) }} as {{ dbt.type_bigint() }})
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

{#- DuckDB: text with a zone (Z or an offset after the date) is parsed as timestamptz and shifted
    to UTC; text without one is a plain timestamp (UTC by contract). Zoned parsing goes through ICU and
    is several times slower, so it is used only where a zone is present. -#}
{% macro duckdb__text_to_utc_timestamp(text) -%}
    case
        when strpos(substr({{ text }}, 11), '+') > 0
            or strpos(substr({{ text }}, 11), '-') > 0
            or upper(right({{ text }}, 1)) = 'Z'
            then cast({{ try_cast_to(text, 'timestamptz') }} as timestamp)
        else {{ try_cast_to(text, 'timestamp') }}
    end
{%- endmacro %}

{#- One typed column per contract column, named as in the contract, and for every non-text column its
    trimmed text as <column>__text, so the checks below compare text and value without casting twice. -#}
{% macro contract_typed_columns(table_name, source_alias) -%}
    {%- for column in raw_contract(table_name) %}
    {{ cast_to_contract_type(source_alias ~ '.' ~ column.name, column.type) }} as {{ column.name }},
    {%- if column.type != 'string' %}
    {{ blank_to_null(source_alias ~ '.' ~ column.name) }} as {{ column.name }}__text,
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- Reasons a row breaks the contract by itself: required values missing, and values that do not parse
    where the contract rejects the row. One reason code per failed check. Reads the output of
    contract_typed_columns (unqualified column names). -#}
{% macro contract_rejections(table_name) -%}
    {%- set checks = [] -%}
    {%- for column in raw_contract(table_name) -%}
        {%- set text = column.name if column.type == 'string' else column.name ~ '__text' -%}
        {%- if column.required -%}
            {%- do checks.append("case when " ~ text ~ " is null then 'missing_" ~ column.name ~ "' end") -%}
        {%- endif -%}
        {%- if column.type != 'string' and column.on_invalid == 'reject' -%}
            {%- do checks.append("case when " ~ text ~ " is not null and " ~ column.name
                ~ " is null then 'invalid_" ~ column.name ~ "' end") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ join_reasons(checks) }}
{%- endmacro %}

{#- Values that did not parse in columns the contract marks on_invalid: nullify. The row is kept,
    the value is null, and the quarantine lists the row with action 'value_nulled'. -#}
{% macro contract_nullifications(table_name) -%}
    {%- set checks = [] -%}
    {%- for column in raw_contract(table_name) if column.on_invalid == 'nullify' -%}
        {%- do checks.append("case when " ~ column.name ~ "__text is not null and " ~ column.name
            ~ " is null then 'invalid_" ~ column.name ~ "' end") -%}
    {%- endfor -%}
    {{ join_reasons(checks) }}
{%- endmacro %}

{#- A hash of the row's raw values: equal rows have equal fingerprints. Base models keep it (8 bytes)
    to spot exact replays cheaply; the quarantine uses it to find the raw values of its rows again. -#}
{% macro contract_row_fingerprint(table_name, source_alias) -%}
    {%- set expressions = [] -%}
    {%- for column in raw_contract(table_name) -%}
        {%- do expressions.append(source_alias ~ '.' ~ column.name) -%}
    {%- endfor -%}
    {{ adapter.dispatch('row_fingerprint', 'segmart')(expressions) }}
{%- endmacro %}

{% macro default__row_fingerprint(expressions) -%}
    md5(concat_ws('|'
    {%- for expression in expressions %}, coalesce({{ expression }}, '<null>'){% endfor -%}
    ))
{%- endmacro %}

{#- DuckDB: its 64-bit hash of all values (nulls included), much cheaper than hashing a text. -#}
{% macro duckdb__row_fingerprint(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{#- The row's raw values as one JSON text, for the quarantine. -#}
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
    (dbt-duckdb does not override it) and on Spark (correct only while ANSI mode is off), so both get
    try_cast here. -#}
{% macro try_cast_to(expression, data_type) -%}
    {{- return(adapter.dispatch('try_cast_to', 'segmart')(expression, data_type)) -}}
{%- endmacro %}

{% macro default__try_cast_to(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast_to(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__try_cast_to(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
