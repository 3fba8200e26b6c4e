//! Email campaigns and their activities (docs/CAMPAIGNS.md).

use async_trait::async_trait;

use crate::campaign::{CampaignActivity, CampaignStatus, EmailCampaign};
use crate::store::error::StoreResult;
use crate::{AccountId, CampaignActivityId, CampaignId, Page, PageRequest, Timestamp};

/// What DELETE /emails/{id} found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignRemoval {
    Removed,
    /// No such campaign, or it was Removed already.
    NotFound,
    /// Scheduled or Executing: it stays as it is.
    Refused(CampaignStatus),
}

#[async_trait]
pub trait CampaignStore: Send + Sync {
    /// Stores a new campaign with its activities unless the account has `max_live` campaigns
    /// that are not Removed (`LimitReached`) or one with the same name, Removed or not
    /// (`Conflict`).
    async fn create_campaign(
        &self,
        account: AccountId,
        campaign: &EmailCampaign,
        activities: &[CampaignActivity],
        max_live: u32,
    ) -> StoreResult<()>;
    async fn campaign(
        &self,
        account: AccountId,
        id: CampaignId,
    ) -> StoreResult<Option<EmailCampaign>>;
    /// The account's campaigns, Removed ones included, in creation order; `updated_at` within
    /// `[after, before]` where given. Their `activities` are left empty (the list shows none).
    async fn campaigns(
        &self,
        account: AccountId,
        updated_after: Option<Timestamp>,
        updated_before: Option<Timestamp>,
        page: PageRequest<CampaignId>,
    ) -> StoreResult<Page<EmailCampaign, CampaignId>>;
    /// Renames a campaign that is not Removed; `Conflict` when another campaign has the name.
    /// False when there is no such campaign that is not Removed.
    async fn rename_campaign(
        &self,
        account: AccountId,
        id: CampaignId,
        name: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Marks the campaign and its activities Removed, remembering the status they had.
    async fn remove_campaign(
        &self,
        account: AccountId,
        id: CampaignId,
        now: Timestamp,
    ) -> StoreResult<CampaignRemoval>;
    /// Puts a Removed campaign and its activities back in the status they had (the CLI's
    /// `roster campaigns restore`); `LimitReached` when the account is at `max_live`. False
    /// when there is no Removed campaign with that id.
    async fn restore_campaign(
        &self,
        account: AccountId,
        id: CampaignId,
        max_live: u32,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn campaign_activity(
        &self,
        account: AccountId,
        id: CampaignActivityId,
    ) -> StoreResult<Option<CampaignActivity>>;
    /// Stores what PUT changed (content, document properties, recipients, `updated_at`) if the
    /// activity's status is still `expected`, the one the caller checked; the campaign's
    /// `updated_at` follows. False when the status changed meanwhile.
    async fn update_campaign_activity(
        &self,
        account: AccountId,
        activity: &CampaignActivity,
        expected: CampaignStatus,
    ) -> StoreResult<bool>;
}
