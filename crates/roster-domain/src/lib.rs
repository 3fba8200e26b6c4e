//! Roster's domain: the validated types every layer shares (ids, email addresses, timestamps),
//! the records the server keeps (accounts, users, OAuth clients, signing keys, custom fields,
//! the outbox of mail to send, bulk activities), and the storage contract that both database
//! engines implement. Nothing here knows HTTP or SQL.

pub mod ab_test;
pub mod account;
pub mod account_services;
pub mod activity;
pub mod bounce;
pub mod campaign;
pub mod clock;
pub mod consent;
pub mod contact;
pub mod contact_list;
pub mod contact_report;
pub mod counts;
pub mod custom_field;
pub mod email;
pub mod email_report;
pub mod engagement;
pub mod field_error;
pub mod forward;
pub mod ids;
pub mod oauth;
pub mod outbox;
pub mod page;
pub mod permalink;
pub mod privilege;
pub mod recipient_token;
pub mod region;
pub mod resend;
pub mod resubscription;
pub mod segment;
pub mod send;
pub mod store;
pub mod tag;
pub mod time;
pub mod tracking;

pub use email::EmailAddress;
pub use field_error::FieldError;
pub use ids::*;
pub use page::{Page, PageRequest};
pub use privilege::{Privilege, Role};
pub use store::{
    AccountServicesStore, AccountSideStore, AccountStore, ActivityEngineStore, ActivityStore,
    BounceIntakeStore, BounceStore, CampaignStore, ConsentStore, ContactReportStore, ContactStore,
    CustomFieldStore, EventStore, FollowUpStore, ListStore, MailerStore, OAuthStore, OutboxStore,
    RateLimitStore, ReportStore, ResubscriptionStore, SegmentStore, SendStore, SigningKeyStore,
    Store, StoreError, StoreResult, TagStore,
};
pub use time::Timestamp;
