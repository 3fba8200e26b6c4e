//! The follow-ups of a campaign's primary activity decided from its recorded opens: the resend
//! to non-openers and the A/B subject test (docs/CAMPAIGNS.md). Their sends go through
//! `SendStore` like any other.

use async_trait::async_trait;

use crate::ab_test::{AbTest, AbTestChange, ArmFigures, NewAbTest};
use crate::resend::{NewResend, ResendCreation, ResendRemoval, ResendRequest};
use crate::store::error::StoreResult;
use crate::{AccountId, CampaignActivityId, Timestamp};

#[async_trait]
pub trait FollowUpStore: Send + Sync {
    /// Adds a resend to the campaign of `primary`, a format-5 primary_email activity in DRAFT,
    /// SCHEDULED or DONE, in one transaction: its own activity (role `resend`, the primary's
    /// content with the resend's subject) and its request, numbered after the account's last.
    /// The resend activity is DRAFT until the primary's send starts, then SCHEDULED for that
    /// start plus the delay; a resend added to a DONE primary is SCHEDULED at once, for its
    /// last send's start plus the delay.
    async fn create_resend(
        &self,
        account: AccountId,
        primary: CampaignActivityId,
        resend: &NewResend,
        now: Timestamp,
    ) -> StoreResult<ResendCreation>;
    /// The resend of the campaign of `primary` (none or one).
    async fn resends(
        &self,
        account: AccountId,
        primary: CampaignActivityId,
    ) -> StoreResult<Vec<ResendRequest>>;
    /// Deletes resend `number` of the campaign of `primary`, with its activity, unless its send
    /// started.
    async fn delete_resend(
        &self,
        account: AccountId,
        primary: CampaignActivityId,
        number: i64,
        now: Timestamp,
    ) -> StoreResult<ResendRemoval>;
    /// Adds an A/B test to `activity`, a primary_email activity in DRAFT, with a random seed
    /// for its arms; its campaign's type becomes A/B test (57). `Exists` when it has one.
    async fn create_ab_test(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        test: &NewAbTest,
        now: Timestamp,
    ) -> StoreResult<AbTestChange>;
    /// The A/B test of `activity`, if it has one.
    async fn ab_test(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<Option<AbTest>>;
    /// The arms of the A/B test of `activity` with their sends and unique opens, A first;
    /// empty before its send (or when it was skipped for fewer than 2 recipients).
    async fn ab_test_arms(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
    ) -> StoreResult<Vec<ArmFigures>>;
    /// Deletes the A/B test of `activity` while it is in DRAFT; the campaign's type goes back
    /// to 10. `Missing` when it has none.
    async fn delete_ab_test(
        &self,
        account: AccountId,
        activity: CampaignActivityId,
        now: Timestamp,
    ) -> StoreResult<AbTestChange>;
}
