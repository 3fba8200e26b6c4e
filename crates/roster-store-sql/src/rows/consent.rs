//! The contacts' own consent links: sign-up confirmations under Confirmed Opt-In and the
//! opt-outs credited to a campaign activity.

use roster_domain::consent::{CampaignOptOut, OptInConfirmation};
use roster_domain::{AccountId, CampaignActivityId, ContactId, StoreError, Timestamp};
use uuid::Uuid;

use super::convert::corrupt;

#[derive(sqlx::FromRow)]
pub struct OptInConfirmationRow {
    pub account_id: Uuid,
    pub contact_id: Uuid,
    pub token_sha256: String,
    pub requested_at: i64,
    pub expires_at: i64,
    pub confirmed_at: Option<i64>,
}

impl From<OptInConfirmationRow> for OptInConfirmation {
    fn from(row: OptInConfirmationRow) -> Self {
        Self {
            account: AccountId(row.account_id),
            contact: ContactId(row.contact_id),
            token_sha256: row.token_sha256,
            requested_at: Timestamp::from_millis(row.requested_at),
            expires_at: Timestamp::from_millis(row.expires_at),
            confirmed_at: row.confirmed_at.map(Timestamp::from_millis),
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct CampaignOptOutRow {
    pub account_id: Uuid,
    pub activity_id: Uuid,
    pub contact_id: Uuid,
    pub send_id: i64,
    pub opted_out_at: i64,
    pub reason: Option<String>,
}

impl TryFrom<CampaignOptOutRow> for CampaignOptOut {
    type Error = StoreError;

    fn try_from(row: CampaignOptOutRow) -> Result<Self, StoreError> {
        Ok(Self {
            account: AccountId(row.account_id),
            activity: CampaignActivityId(row.activity_id),
            contact: ContactId(row.contact_id),
            send: u32::try_from(row.send_id).map_err(|_| corrupt("opt-out send id"))?,
            at: Timestamp::from_millis(row.opted_out_at),
            reason: row.reason,
        })
    }
}
