-- Per customer: subscription state and email engagement. The latest subscribe, unsubscribe or complaint
-- decides the subscription (a spam complaint ends it; on the same instant, leaving wins over joining).
-- Rates are over distinct campaigns in the last 90 days: campaigns opened (clicked) / campaigns sent.
with

email_events as (
    select * from {{ ref('int_email_events_attributed') }}
    where customer_id is not null
),

subscription_changes as (
    select
        customer_id,
        event_type,
        row_number() over (
            partition by customer_id
            order by
                occurred_at desc nulls last,
                case when event_type = 'subscribe' then 1 else 0 end asc,
                event_id desc
        ) as recency_rank
    from email_events
    where event_type in ('subscribe', 'unsubscribe', 'complaint')
),

engagement as (
    select
        customer_id,
        cast(
            sum(
                case when event_type = 'send' and {{ within_last_days('occurred_at', 90) }} then 1 else 0 end
            ) as {{ dbt.type_bigint() }}
        )
            as email_sends_last_90_days,
        cast(
            sum(
                case when event_type = 'open' and {{ within_last_days('occurred_at', 90) }} then 1 else 0 end
            ) as {{ dbt.type_bigint() }}
        )
            as email_opens_last_90_days,
        cast(
            sum(
                case when event_type = 'click' and {{ within_last_days('occurred_at', 90) }} then 1 else 0 end
            ) as {{ dbt.type_bigint() }}
        )
            as email_clicks_last_90_days,
        count(distinct case
            when event_type = 'send' and {{ within_last_days('occurred_at', 90) }} then campaign_id
        end) as campaigns_sent_last_90_days,
        count(distinct case
            when event_type = 'open' and {{ within_last_days('occurred_at', 90) }} then campaign_id
        end) as campaigns_opened_last_90_days,
        count(distinct case
            when event_type = 'click' and {{ within_last_days('occurred_at', 90) }} then campaign_id
        end) as campaigns_clicked_last_90_days,
        max(case when event_type = 'open' then occurred_at end) as last_email_opened_at,
        max(occurred_at) as last_email_event_at
    from email_events
    group by customer_id
),

final as (
    select
        engagement.customer_id,
        coalesce(subscription_changes.event_type = 'subscribe', false) as is_subscribed,
        engagement.email_sends_last_90_days,
        engagement.email_opens_last_90_days,
        engagement.email_clicks_last_90_days,
        case
            when engagement.campaigns_sent_last_90_days > 0
                then least(
                    1.0,
                    cast(engagement.campaigns_opened_last_90_days as {{ type_double() }})
                    / engagement.campaigns_sent_last_90_days
                )
        end as email_open_rate_last_90_days,
        case
            when engagement.campaigns_sent_last_90_days > 0
                then least(
                    1.0,
                    cast(engagement.campaigns_clicked_last_90_days as {{ type_double() }})
                    / engagement.campaigns_sent_last_90_days
                )
        end as email_click_rate_last_90_days,
        engagement.last_email_opened_at,
        engagement.last_email_event_at
    from engagement
    left join subscription_changes
        on
            engagement.customer_id = subscription_changes.customer_id
            and subscription_changes.recency_rank = 1
)

select * from final
