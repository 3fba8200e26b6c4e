//! `roster campaigns list|show|send-status|restore`: what the API cannot show of a campaign
//! (each send's failures, what is left, the rate, DKIM alignment, an A/B test's arms with
//! their sends and unique opens), and restoring a Removed one.

use anyhow::{bail, Context};
use roster_domain::ab_test::Arm;
use roster_domain::{CampaignId, PageRequest, Timestamp};
use serde_json::json;

use crate::cli::CampaignsCommand;
use crate::commands::{account_of, print_json};
use crate::open_store;
use crate::settings::DatabaseArgs;

/// `roster campaigns list|show|send-status|restore`.
pub async fn campaigns(database: &DatabaseArgs, command: &CampaignsCommand) -> anyhow::Result<()> {
    let store = open_store(&database.database_url).await?;
    match command {
        CampaignsCommand::List {
            account_email,
            limit,
        } => {
            let account = account_of(store.as_ref(), account_email).await?;
            list_campaigns(store.as_ref(), account, *limit).await
        }
        CampaignsCommand::Show {
            campaign_id,
            account_email,
            dkim_domain,
        } => {
            let account = account_of(store.as_ref(), account_email).await?;
            let id = campaign_id_of(campaign_id)?;
            show_campaign(store.as_ref(), account, id, dkim_domain.as_deref()).await
        }
        CampaignsCommand::SendStatus {
            campaign_id,
            account_email,
        } => {
            let account = account_of(store.as_ref(), account_email).await?;
            let id = campaign_id_of(campaign_id)?;
            let (_, primary) = campaign_and_primary(store.as_ref(), account, id).await?;
            for send in store.sends(account, primary.id).await? {
                print_json(send_progress(&send));
            }
            Ok(())
        }
        CampaignsCommand::Restore {
            campaign_id,
            account_email,
        } => {
            let account = account_of(store.as_ref(), account_email).await?;
            restore_campaign(store.as_ref(), account, campaign_id).await
        }
    }
}

fn campaign_id_of(text: &str) -> anyhow::Result<CampaignId> {
    text.parse()
        .map_err(|_| anyhow::anyhow!("{text} is not a campaign id"))
}

/// A campaign and its primary activity.
async fn campaign_and_primary(
    store: &dyn roster_domain::Store,
    account: roster_domain::AccountId,
    id: CampaignId,
) -> anyhow::Result<(
    roster_domain::campaign::EmailCampaign,
    roster_domain::campaign::CampaignActivity,
)> {
    let campaign = store
        .campaign(account, id)
        .await?
        .with_context(|| format!("the account has no campaign {id}"))?;
    let primary = campaign
        .activities
        .iter()
        .find(|a| a.role == roster_domain::campaign::ActivityRole::PrimaryEmail)
        .with_context(|| format!("campaign {id} has no primary_email activity"))?;
    let activity = store
        .campaign_activity(account, primary.id)
        .await?
        .with_context(|| format!("campaign {id}'s primary activity vanished"))?;
    Ok((campaign, activity))
}

/// One send's progress: what the API's send history shows, and what it cannot (failures,
/// what is left, the rate).
fn send_progress(send: &roster_domain::send::EmailSend) -> serde_json::Value {
    let until = send.finished_at.unwrap_or_else(Timestamp::now);
    let seconds = (until.millis() - send.started_at.millis()).max(1) as f64 / 1000.0;
    let finished = send.sent + send.failed;
    json!({
        "send_id": send.number,
        "state": send.state.as_str(),
        "reason_code": send.reason_code,
        "recipients": send.recipient_count,
        "sent": send.sent,
        "failed": send.failed,
        "left": send.recipient_count.saturating_sub(finished),
        "rate_per_second": ((send.sent + send.failed) as f64 / seconds * 10.0).round() / 10.0,
        "started_at": send.started_at.to_rfc3339(),
        "finished_at": send.finished_at.map(Timestamp::to_rfc3339),
    })
}

async fn list_campaigns(
    store: &dyn roster_domain::Store,
    account: roster_domain::AccountId,
    limit: u32,
) -> anyhow::Result<()> {
    if limit == 0 {
        bail!("--limit must be at least 1");
    }
    let page = store
        .campaigns(account, None, None, PageRequest { limit, after: None })
        .await?;
    for campaign in &page.items {
        let (_, primary) = campaign_and_primary(store, account, campaign.id).await?;
        let sends = store.sends(account, primary.id).await?;
        print_json(json!({
            "campaign_id": campaign.id.to_string(),
            "name": campaign.name,
            "current_status": campaign.status.campaign_name(),
            "primary_activity_id": primary.id.to_string(),
            "last_send": sends.last().map(send_progress),
        }));
    }
    Ok(())
}

async fn show_campaign(
    store: &dyn roster_domain::Store,
    account: roster_domain::AccountId,
    id: CampaignId,
    dkim_domain: Option<&str>,
) -> anyhow::Result<()> {
    let (campaign, primary) = campaign_and_primary(store, account, id).await?;
    let sends = store.sends(account, primary.id).await?;
    let from_domain = primary
        .content
        .from_email
        .rsplit('@')
        .next()
        .unwrap_or_default();
    let dkim = match dkim_domain {
        None => "not signed by Roster (no --dkim-domain)".to_string(),
        Some(domain) if roster_mailer::dkim::domain_aligned(domain, from_domain) => {
            format!("aligned: signed for {domain}")
        }
        Some(_) => roster_mailer::dkim::NOT_ALIGNED.to_string(),
    };
    let schedule = store.activity_schedule(account, primary.id).await?;
    let ab_test = match store.ab_test(account, primary.id).await? {
        None => None,
        Some(test) => {
            let arms = store.ab_test_arms(account, primary.id).await?;
            let subject_of = |arm: Arm| match arm {
                Arm::A => primary.content.subject.clone(),
                Arm::B => test.alternative_subject.clone(),
            };
            Some(json!({
                "alternative_subject": test.alternative_subject,
                "test_size": test.test_size,
                "winner_wait_duration": test.winner_wait_hours,
                "state": test.state.as_str(),
                "winner": test.winner.map(Arm::as_str),
                "winner_due_at": test.winner_due_at.map(Timestamp::to_rfc3339),
                "arms": arms.iter().map(|figures| json!({
                    "arm": figures.arm.as_str(),
                    "subject": subject_of(figures.arm),
                    "sends": figures.sends,
                    "unique_opens": figures.unique_opens,
                })).collect::<Vec<_>>(),
            }))
        }
    };
    let content = &primary.content;
    print_json(json!({
        "campaign_id": campaign.id.to_string(),
        "name": campaign.name,
        "current_status": campaign.status.campaign_name(),
        "primary_activity_id": primary.id.to_string(),
        "from": format!("{} <{}>", content.from_name, content.from_email),
        "reply_to": content.reply_to_email,
        "subject": content.subject,
        "contact_list_ids": primary.recipients.contact_list_ids.iter()
            .map(ToString::to_string).collect::<Vec<_>>(),
        "segment_ids": primary.recipients.segment_ids.iter().map(|s| s.0).collect::<Vec<_>>(),
        "scheduled_date": schedule.map(Timestamp::to_rfc3339),
        "sends": sends.iter().map(send_progress).collect::<Vec<_>>(),
        "ab_test": ab_test,
        "dkim": dkim,
    }));
    Ok(())
}

/// `roster campaigns restore`.
async fn restore_campaign(
    store: &dyn roster_domain::Store,
    account: roster_domain::AccountId,
    campaign_id: &str,
) -> anyhow::Result<()> {
    let id = campaign_id_of(campaign_id)?;
    let restored = store
        .restore_campaign(
            account,
            id,
            roster_domain::campaign::MAX_LIVE_CAMPAIGNS_PER_ACCOUNT,
            Timestamp::now(),
        )
        .await?;
    if !restored {
        bail!("the account has no removed campaign {campaign_id}");
    }
    let campaign = store
        .campaign(account, id)
        .await?
        .with_context(|| format!("campaign {campaign_id} vanished"))?;
    println!(
        "{}",
        json!({"campaign_id": campaign_id, "current_status": campaign.status.campaign_name()})
    );
    Ok(())
}
