{#- Fails for every (r, f, m) score cell that a map covers too few or too many times:
    exactly_once = true wants one matching row per cell (a map without precedence overlaps),
    false wants at least one (precedence resolves overlaps). -#}
{% test rfm_map_covers_every_cell(model, map_name, exactly_once=true) %}
with

scores as (
    {%- for score in range(1, rfm_score_levels() + 1) %}
        select {{ score }} as score{% if not loop.last %} union all{% endif %}
    {%- endfor %}
),

map_rows as (
    select * from {{ model }}
    where map_name = '{{ map_name }}'
),

cells as (
    select
        r_scores.score as r_score,
        f_scores.score as f_score,
        m_scores.score as m_score
    from scores as r_scores
    cross join scores as f_scores
    cross join scores as m_scores
),

matches as (
    select
        cells.r_score,
        cells.f_score,
        cells.m_score,
        count(map_rows.segment) as matching_rows
    from cells
    left join map_rows
        on
            cells.r_score between map_rows.r_min and map_rows.r_max
            and cells.f_score between map_rows.f_min and map_rows.f_max
            and cells.m_score between map_rows.m_min and map_rows.m_max
    group by cells.r_score, cells.f_score, cells.m_score
)

select * from matches
where matching_rows {% if exactly_once %}<> 1{% else %}= 0{% endif %}
{% endtest %}
