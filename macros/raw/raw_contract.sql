{#- The raw data contract as data, in contract order: a list of {name, type, required, on_invalid}.
    Its one written form is models/staging/shop/_shop__sources.yml; raw_contract_generated.sql is
    rendered from it by `python -m segmart.contract` (dbt unit tests cannot see source definitions,
    so models cannot read the contract from the graph). -#}
{% macro raw_contract(table_name) -%}
    {%- set tables = raw_contract_tables() -%}
    {%- if table_name not in tables -%}
        {{ exceptions.raise_compiler_error("raw_contract: no raw table '" ~ table_name ~ "' in _shop__sources.yml") }}
    {%- endif -%}
    {{- return(tables[table_name]['columns']) -}}
{%- endmacro %}

{#- Whether the contract requires the table's files to be present. -#}
{% macro raw_table_is_required(table_name) -%}
    {{- return(raw_contract_tables()[table_name]['required_table']) -}}
{%- endmacro %}
