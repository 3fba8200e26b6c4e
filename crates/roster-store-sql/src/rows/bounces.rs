//! Bounces and complaints coming back: the recipient a report is about, and the messages
//! kept because they could not be processed.

use roster_domain::bounce::{BounceTarget, InboundChannel, UnprocessedMessage};
use roster_domain::{
    AccountId, CampaignActivityId, ContactId, InboundMessageId, StoreError, Timestamp,
};
use uuid::Uuid;

use super::convert::{corrupt, from_json, to_json};

#[derive(sqlx::FromRow)]
pub struct BounceTargetRow {
    pub account_id: Uuid,
    pub campaign_activity_id: Uuid,
    pub contact_id: Uuid,
    pub send_number: i64,
    pub email: String,
}

impl TryFrom<BounceTargetRow> for BounceTarget {
    type Error = StoreError;

    fn try_from(row: BounceTargetRow) -> Result<Self, StoreError> {
        Ok(Self {
            account: AccountId(row.account_id),
            activity: CampaignActivityId(row.campaign_activity_id),
            contact: ContactId(row.contact_id),
            send_number: u32::try_from(row.send_number)
                .map_err(|_| corrupt("send recipient's send number"))?,
            email: row.email,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct UnprocessedMessageRow {
    pub id: Uuid,
    pub received_at: i64,
    pub channel: String,
    pub client: Option<String>,
    pub envelope_from: Option<String>,
    pub envelope_to: String,
    pub reason: String,
    pub raw: Vec<u8>,
}

impl UnprocessedMessageRow {
    pub fn from_domain(message: &UnprocessedMessage) -> Self {
        Self {
            id: message.id.0,
            received_at: message.received_at.millis(),
            channel: message.channel.as_str().to_string(),
            client: message.client.clone(),
            envelope_from: message.envelope_from.clone(),
            envelope_to: to_json(&message.envelope_to),
            reason: message.reason.clone(),
            raw: message.raw.clone(),
        }
    }
}

impl TryFrom<UnprocessedMessageRow> for UnprocessedMessage {
    type Error = StoreError;

    fn try_from(row: UnprocessedMessageRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: InboundMessageId(row.id),
            received_at: Timestamp::from_millis(row.received_at),
            channel: InboundChannel::parse(&row.channel)
                .ok_or_else(|| corrupt("inbound message channel"))?,
            client: row.client,
            envelope_from: row.envelope_from,
            envelope_to: from_json(&row.envelope_to, "inbound message envelope")?,
            reason: row.reason,
            raw: row.raw,
        })
    }
}
