{#- Label a number with the band it falls in, bands given by ascending exclusive upper bounds:
    bounds [25, 35] -> 'under_25', '25-34', '35_plus'. Null stays null. -#}
{% macro band_label(expression, upper_bounds) -%}
    case
        when {{ expression }} is null then null
    {%- for bound in upper_bounds %}
        {%- if loop.first %}
        when {{ expression }} < {{ bound }} then 'under_{{ bound }}'
        {%- else %}
        when {{ expression }} < {{ bound }} then '{{ upper_bounds[loop.index0 - 1] }}-{{ bound - 1 }}'
        {%- endif %}
    {%- endfor %}
        else '{{ upper_bounds[-1] }}_plus'
    end
{%- endmacro %}

{#- Completed years between a birth date and as_of_date, a bigint on every engine (Spark's extract gives an int). -#}
{% macro age_in_years(birth_date_expression) -%}
    cast((
        extract(year from {{ as_of_date() }}) - extract(year from {{ birth_date_expression }})
        - case
            when extract(month from {{ as_of_date() }}) * 100 + extract(day from {{ as_of_date() }})
                < extract(month from {{ birth_date_expression }}) * 100 + extract(day from {{ birth_date_expression }})
                then 1
            else 0
        end
    ) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- A salted SHA-256 of a normalised email, for joining audiences in activation tools without exposing
    the address. The salt comes from env SEGMART_EMAIL_SALT; building a model that hashes without it
    stops the run with an explanation (marts never fall back to raw or unsalted emails). -#}
{% macro hashed_email(email_expression) -%}
    {{ adapter.dispatch('hashed_email', 'segmart')(email_expression) }}
{%- endmacro %}

{% macro email_salt_missing_message() -%}
    {{ return("SEGMART_EMAIL_SALT is not set. Marts publish a salted hash of each email instead of the address; "
        ~ "set SEGMART_EMAIL_SALT to a secret string (keep it stable: changing it changes every hash), "
        ~ "e.g. export SEGMART_EMAIL_SALT=$(openssl rand -hex 16).") }}
{%- endmacro %}

{#- DuckDB: the salt is the variable segmart_email_salt, which the profile's plugin (scripts/segmart/dbt_plugin.py)
    sets on every connection, so it is never written into compiled SQL, logs or dbt's partial-parse file. Without
    it the model fails when it runs, with the message above (the condition is a constant, so DuckDB keeps one
    branch). Only a table may hash: a view would read the variable when BI queries it, and fail there. -#}
{% macro duckdb__hashed_email(email_expression) -%}
    case
        when getvariable('segmart_email_salt') is null
            then error('{{ dbt.escape_single_quotes(email_salt_missing_message()) }}')
        else sha256(getvariable('segmart_email_salt') || {{ email_expression }})
    end
{%- endmacro %}

{#- Spark: the salt is the session conf spark.segmart.email_salt_hex (UTF-8 hex, set by the profile from the
    environment), which Spark substitutes for ${...} when it parses the statement, after dbt has written it. An
    unset conf is left as the text itself, and an empty salt gives '': both fail the model with the message above
    (the '$' is split from the name so that this comparison is not substituted). -#}
{% macro spark__hashed_email(email_expression) -%}
    case
        when '${spark.segmart.email_salt_hex}' in ('', concat('$', '{spark.segmart.email_salt_hex}'))
            then raise_error('{{ dbt.escape_single_quotes(email_salt_missing_message()) }}')
        else sha2(concat(decode(unhex('${spark.segmart.email_salt_hex}'), 'UTF-8'), {{ email_expression }}), 256)
    end
{%- endmacro %}

{#- Other engines: the salt is rendered into the SQL as a literal (so target/ holds it: DECISIONLOG.md, "Email
    hashing and the salt"); a missing salt stops the run when the model compiles. -#}
{% macro default__hashed_email(email_expression) -%}
    {%- set salt = env_var('SEGMART_EMAIL_SALT', '') -%}
    {%- if execute and salt | length == 0 -%}
        {{ exceptions.raise_compiler_error(email_salt_missing_message()) }}
    {%- endif -%}
    {{ adapter.dispatch('sha256_hex', 'segmart')("'" ~ dbt.escape_single_quotes(salt) ~ "' || " ~ email_expression) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}
