{#- An incremental model keeps rows computed under the configuration of the run that computed them. When a setting
    that shapes its rows changes (a var such as session_inactivity_minutes, or a seed such as vocabulary_map), its
    stored rows no longer match what a full build gives, and nothing new would touch most of them. Such a model
    names those settings in its config segmart_rebuild_when_changed = {'vars': [...], 'seeds': [...]}; each build
    records their fingerprint in operations.incremental_configurations (post-hook), and the next run that finds
    another fingerprint rebuilds that model in full, as --full-refresh would. The models downstream pick up its
    rows, all stamped anew, as for any re-processed row. (DECISIONLOG.md "A configuration change rebuilds the
    incremental models it shapes".) -#}

{#- {'description': 'name=value; ...', 'fingerprint': md5} of this model's declared settings, or none without any.
    A var is taken as the run sees it (dbt_project.yml or --vars), a seed by the checksum dbt keeps of its file. -#}
{% macro configuration_fingerprint() -%}
    {%- set declared = config.get('segmart_rebuild_when_changed') or {} -%}
    {%- set parts = [] -%}
    {%- for name in declared.get('vars', []) | sort -%}
        {%- do parts.append('var ' ~ name ~ '=' ~ tojson(var(name))) -%}
    {%- endfor -%}
    {%- for name in declared.get('seeds', []) | sort -%}
        {%- set checksums = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'seed' and node.name == name -%}
            {%- do checksums.append(node.checksum.checksum) -%}
        {%- endfor -%}
        {%- if checksums | length != 1 -%}
            {{ exceptions.raise_compiler_error(this.identifier ~ ": segmart_rebuild_when_changed names the seed '"
                ~ name ~ "', which is not a seed of this project.") }}
        {%- endif -%}
        {%- do parts.append('seed ' ~ name ~ '=' ~ checksums[0]) -%}
    {%- endfor -%}
    {%- if parts | length == 0 -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set description = parts | join('; ') -%}
    {{- return({'description': description, 'fingerprint': local_md5(description)}) -}}
{%- endmacro %}

{#- The latest recorded (description, fingerprint) of this model, or none (never recorded, or no record table). -#}
{% macro recorded_configuration() -%}
    {%- set found = latest_records(ref('incremental_configurations'), ['model_name'],
        ['declared_settings', 'settings_fingerprint'], "model_name = '" ~ this.identifier ~ "'") -%}
    {%- if found is none or found.rows | length == 0 -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return({'description': found.rows[0][0], 'fingerprint': found.rows[0][1]}) -}}
{%- endmacro %}

{#- True when this incremental model declares settings and the ones recorded at its last build differ. A model
    never recorded (built before the record existed) is not rebuilt: its first run records them. -#}
{% macro configuration_changed() -%}
    {%- set current = configuration_fingerprint() -%}
    {%- if current is none -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set recorded = recorded_configuration() -%}
    {{- return(recorded is not none and recorded['fingerprint'] != current['fingerprint']) -}}
{%- endmacro %}

{#- dbt's should_full_refresh (global project), which the incremental materialization and is_incremental() ask,
    plus: an incremental model whose declared configuration changed since its last build is rebuilt in full. A
    model configured full_refresh: false keeps its rows whatever changed, as with --full-refresh. -#}
{% macro should_full_refresh() -%}
    {%- set config_full_refresh = config.get('full_refresh') -%}
    {%- if config_full_refresh is none -%}
        {%- set config_full_refresh = flags.FULL_REFRESH -%}
        {%- if not config_full_refresh and execute and model.config.materialized == 'incremental'
            and configuration_changed() -%}
            {%- set config_full_refresh = true -%}
        {%- endif -%}
    {%- endif -%}
    {%- do return(config_full_refresh) -%}
{%- endmacro %}

{#- Post-hook of every model (dbt_project.yml): an incremental model that declares settings records them when they
    differ from its latest record, and says so when a change rebuilt it. Appends only, so models built at once never
    touch the same row. On Spark those models are tables rebuilt in full every run: nothing is recorded. -#}
{% macro record_model_configuration() -%}
    {%- if execute and config.get('segmart_rebuild_when_changed') and model.config.materialized == 'incremental' -%}
        {%- set current = configuration_fingerprint() -%}
        {%- set recorded = recorded_configuration() -%}
        {%- set records = load_relation(ref('incremental_configurations')) -%}
        {%- if current is not none and records is not none
            and (recorded is none or recorded['fingerprint'] != current['fingerprint']) -%}
            {%- if recorded is not none and not flags.FULL_REFRESH -%}
                {{ log("segmart: " ~ this.identifier ~ " was rebuilt in full: its configuration changed since its last "
                    ~ "build (was: " ~ recorded['description'] ~ "; now: " ~ current['description'] ~ ")", info=true) }}
            {%- endif -%}
            insert into {{ records }} (model_name, declared_settings, settings_fingerprint, processed_at)
            values (
                '{{ this.identifier }}', '{{ dbt.escape_single_quotes(current["description"]) }}',
                '{{ current["fingerprint"] }}', {{ processed_at() }}
            )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
