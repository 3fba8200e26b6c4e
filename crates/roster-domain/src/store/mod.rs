//! The storage contract, split by aggregate: one trait per group of records that change
//! together, implemented identically by the SQLite and PostgreSQL engines. Every method that
//! touches an account's data takes the account's id, so isolation between accounts is part of
//! the contract, not of each caller.
//!
//! A component asks for the traits it uses (the mailer an `OutboxStore`, the activity engine
//! an `ActivityEngineStore`); the HTTP layer, which serves every aggregate, holds a `Store`,
//! and hands narrower views down by trait upcasting (`Arc<dyn Store>` coerces to
//! `Arc<dyn OutboxStore>`).

mod account_services;
mod accounts;
mod activities;
mod bounces;
mod campaigns;
mod consent;
mod contact_reports;
mod contacts;
mod custom_fields;
mod error;
mod events;
mod follow_ups;
mod lists;
mod oauth;
mod outbox;
mod rate_limits;
mod reports;
mod resubscriptions;
mod segments;
mod sends;
mod signing_keys;
mod tags;

pub use account_services::AccountServicesStore;
pub use accounts::AccountStore;
pub use activities::ActivityStore;
pub use bounces::{BounceStore, RECENT_SENDS_MATCHED};
pub use campaigns::{CampaignRemoval, CampaignStore};
pub use consent::ConsentStore;
pub use contact_reports::ContactReportStore;
pub use contacts::ContactStore;
pub use custom_fields::CustomFieldStore;
pub use error::{StoreError, StoreResult};
pub use events::EventStore;
pub use follow_ups::FollowUpStore;
pub use lists::ListStore;
pub use oauth::OAuthStore;
pub use outbox::OutboxStore;
pub use rate_limits::RateLimitStore;
pub use reports::ReportStore;
pub use resubscriptions::ResubscriptionStore;
pub use segments::SegmentStore;
pub use sends::{ScheduleChange, SendStore};
pub use signing_keys::SigningKeyStore;
pub use tags::TagStore;

/// What the bulk-activity engine (roster-activities) uses: the activity queue and its batch
/// writers, the contact reads that select a job's contacts, and the deletes of lists, tags
/// and custom fields that some jobs are. A supertrait of `Store`, so a `dyn Store` upcasts
/// to it.
pub trait ActivityEngineStore:
    ActivityStore + ContactStore + CustomFieldStore + ListStore + SegmentStore + TagStore
{
}

impl<T> ActivityEngineStore for T where
    T: ActivityStore + ContactStore + CustomFieldStore + ListStore + SegmentStore + TagStore
{
}

/// What the mailer uses: the outbox, and for campaign mail the sends and their recipients,
/// what selects them (segments, custom fields, the account's confirmed opt-in), what a
/// message is rendered from (the activity, the contact, the account's profile and address),
/// the events (for the tracked links a send numbers when it starts), the bounces a refusal
/// at send time records and the A/B test whose alternative subject arm B gets. A supertrait
/// of `Store`.
pub trait MailerStore
where
    Self: OutboxStore + SendStore + CampaignStore + ContactStore + CustomFieldStore,
    Self: SegmentStore + AccountServicesStore + AccountStore + EventStore + BounceStore,
    Self: FollowUpStore,
{
}

impl<T> MailerStore for T where
    T: OutboxStore
        + SendStore
        + CampaignStore
        + ContactStore
        + CustomFieldStore
        + SegmentStore
        + AccountServicesStore
        + AccountStore
        + EventStore
        + BounceStore
        + FollowUpStore
{
}

/// What the bounce intake (roster-bounces) uses: finding and recording bounces and
/// complaints, and reading the contact a complaint unsubscribes. A supertrait of `Store`.
pub trait BounceIntakeStore: BounceStore + ContactStore {}

impl<T> BounceIntakeStore for T where T: BounceStore + ContactStore {}

/// The account side of the contract: accounts and users, signing keys, OAuth's records, the
/// rate-limit counters and Account Services; everything but the contacts and the queues. A
/// supertrait of `Store`, so a `dyn Store` upcasts to it.
pub trait AccountSideStore:
    AccountStore + SigningKeyStore + OAuthStore + RateLimitStore + AccountServicesStore
{
}

impl<T> AccountSideStore for T where
    T: AccountStore + SigningKeyStore + OAuthStore + RateLimitStore + AccountServicesStore
{
}

/// The whole contract, for the one component that serves every aggregate (the HTTP layer)
/// and the CLI: the account side, what the activity engine uses (contacts, lists, tags,
/// segments, custom fields, activities), resubscriptions, the outbox, email campaigns, the
/// contacts' own consent links, the tracking events, the bounces coming back and the email and
/// contact reports, and the follow-ups decided from opens (resends).
/// Every type that implements each aggregate's trait is a `Store`. (The supertraits are written
/// as `where Self:` lines, the same as a `Store: A + B` list, which rustfmt would keep on one
/// line past 100 columns.)
pub trait Store
where
    Self: AccountSideStore + ActivityEngineStore + ResubscriptionStore + OutboxStore,
    Self: CampaignStore + SendStore + MailerStore + ConsentStore + EventStore + BounceStore,
    Self: BounceIntakeStore + ReportStore + ContactReportStore + FollowUpStore + 'static,
{
}

impl<T> Store for T where
    T: AccountSideStore
        + ActivityEngineStore
        + ResubscriptionStore
        + OutboxStore
        + CampaignStore
        + SendStore
        + ConsentStore
        + EventStore
        + BounceStore
        + ReportStore
        + ContactReportStore
        + FollowUpStore
        + 'static
{
}
