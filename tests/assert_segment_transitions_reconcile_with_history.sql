-- Every transition pair accounts for every member: per comparison, date pair and family, the customers leaving
-- real segments (all sources but '(new)') are the family's members at from_date, and those arriving in real
-- segments (all targets but '(gone)') its members at to_date.
with

transitions as (
    select * from {{ ref('segment_transitions') }}
),

history as (
    select * from {{ ref('segment_membership_history') }}
),

members as (
    select
        as_of_date,
        segment_family,
        count(*) as customers
    from history
    where is_exclusive_family
    group by as_of_date, segment_family
),

per_pair as (
    select
        comparison,
        from_date,
        to_date,
        segment_family,
        sum(case when from_segment <> '(new)' then customers else 0 end) as customers_from,
        sum(case when to_segment <> '(gone)' then customers else 0 end) as customers_to
    from transitions
    group by comparison, from_date, to_date, segment_family
),

final as (
    select
        per_pair.*,
        coalesce(members_from.customers, 0) as members_at_from_date,
        coalesce(members_to.customers, 0) as members_at_to_date
    from per_pair
    left join members as members_from
        on
            per_pair.from_date = members_from.as_of_date
            and per_pair.segment_family = members_from.segment_family
    left join members as members_to
        on
            per_pair.to_date = members_to.as_of_date
            and per_pair.segment_family = members_to.segment_family
    where
        per_pair.customers_from <> coalesce(members_from.customers, 0)
        or per_pair.customers_to <> coalesce(members_to.customers, 0)
)

select * from final
