-- Segments of anonymous visitors (dim_visitors: never identified, so no customer_id): one row per visitor
-- and segment, as of as_of_date. The segments are listed in macros/segments/segment_catalog.sql
-- (visitor_segments); windows use within_last_days like the customer audiences.
{%- set curious_days = var('curious_browser_window_days') | int %}
{%- set curious_min_views = var('curious_browser_min_product_views') | int %}
{%- set visitor_days = var('audience_visitor_window_days') | int %}
with

visitors as (
    select * from {{ ref('dim_visitors') }}
),

flagged as (
    select
        visitor_id,
        coalesce(
            {{ within_last_days('last_seen_at', curious_days) }}
            and product_views >= {{ curious_min_views }},
            false
        ) as is_curious_browser,
        coalesce(
            {{ within_last_days('last_seen_at', visitor_days) }}
            and not {{ within_last_days('first_seen_at', visitor_days) }},
            false
        ) as is_returning_visitor,
        coalesce({{ within_last_days('first_seen_at', visitor_days) }}, false) as is_new_visitor
    from visitors
),

final as (
    {%- for visitor_segment in visitor_segments() %}
        select
            visitor_id,
            '{{ visitor_segment.family }}' as segment_family,
            '{{ visitor_segment.segment }}' as segment,
            {{ as_of_date() }} as as_of_date
        from flagged
        where is_{{ visitor_segment.segment }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from final
