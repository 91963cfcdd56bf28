{#- Fails for every combination of `columns` that appears more than once. -#}
{% test unique_combination_of_columns(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as rows_with_combination
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
