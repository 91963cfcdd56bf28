{#- Fails for every key that has more than one row with row_status = 'staged':
    the base models' promise that staging holds one current version per key. -#}
{% test at_most_one_staged_row(model, column_name) %}

select
    {{ column_name }},
    count(*) as staged_rows
from {{ model }}
where row_status = 'staged'
group by {{ column_name }}
having count(*) > 1

{% endtest %}
