//! POST /emails/activities/{campaign_activity_id}/tests: a test send (docs/CAMPAIGNS.md, "Test
//! sends"). The activity is rendered once, as a test (no contact's values, the personal message
//! above the content, CSS inlined, no tracking image, an inert unsubscribe link), and one
//! outbox message is queued per address. At most 50 test recipients per account and UTC day.

use axum::extract::State;
use axum::http::StatusCode;
use roster_domain::campaign::ActivityRole;
use roster_domain::outbox::{Mailbox, OutboxMessage};
use roster_domain::{CampaignActivityId, EmailAddress, Timestamp};
use roster_render::{AccountDetails, Message, MessageLinks, Recipient};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::content::check_content;
use super::handlers::{footer_of, live_activity};
use crate::auth::{Caller, CampaignSend};
use crate::error::ApiError;
use crate::wire::responses::{Answers, BodyRejected, Invalid, Missing, Scoped};
use crate::wire::{Body, Check, Field, IdPath, Problems};
use crate::AppState;

/// Addresses one test send may name (`EmailTestSendInput.email_addresses` maxItems).
pub const MAX_TEST_ADDRESSES: usize = 5;
/// Test recipients an account may mail per UTC day (the official document).
pub const MAX_TEST_RECIPIENTS_PER_DAY: u32 = 50;
/// What a test send's subject starts with, so it is never mistaken for the campaign.
pub const TEST_SUBJECT_PREFIX: &str = "[TEST] ";
/// The outbox kind of a test send.
pub const TEST_SEND_KIND: &str = "test_send";
const DAY_MILLIS: i64 = 86_400_000;

/// POST /emails/activities/{campaign_activity_id}/tests (`EmailTestSendInput`)
#[derive(Deserialize, ToSchema)]
pub struct TestSendBody {
    /// The recipients of the test email, 1 to 5 addresses.
    #[schema(value_type = Vec<String>, max_items = 5)]
    email_addresses: Field<Vec<Value>>,
    /// Shown above the email's content.
    #[schema(value_type = String, required = false)]
    personal_message: Field<String>,
}

/// A test send as asked for: distinct addresses (the first spelling of each kept) and the
/// personal message ("" when none).
struct TestSend {
    addresses: Vec<EmailAddress>,
    personal_message: String,
}

impl TryFrom<TestSendBody> for TestSend {
    type Error = ApiError;

    fn try_from(body: TestSendBody) -> Result<Self, ApiError> {
        Problems::run(|c| {
            let personal_message = c.string("personal_message", body.personal_message, usize::MAX);
            let addresses = test_addresses(c, body.email_addresses);
            Some(TestSend {
                addresses: addresses?,
                personal_message: personal_message.unwrap_or_default(),
            })
        })
    }
}

/// `email_addresses`: required, 1 to 5 strings, each a valid address; repeated addresses
/// (compared as Roster stores them: trimmed, lower case) count once.
fn test_addresses(c: &mut Check<'_>, field: Field<Vec<Value>>) -> Option<Vec<EmailAddress>> {
    if !field.is_present() {
        c.error("email_addresses", "is required");
        return None;
    }
    let texts = c.strings("email_addresses", field, MAX_TEST_ADDRESSES)?;
    if texts.is_empty() {
        c.error("email_addresses", "must name at least one address");
        return None;
    }
    let mut addresses: Vec<EmailAddress> = Vec::with_capacity(texts.len());
    for (index, text) in texts.iter().enumerate() {
        match EmailAddress::parse(text) {
            Ok(address) if addresses.contains(&address) => {}
            Ok(address) => addresses.push(address),
            Err(error) => c.error(&format!("email_addresses[{index}]"), error.to_string()),
        }
    }
    Some(addresses)
}

/// POST /emails/activities/{campaign_activity_id}/tests: mails the activity, as a test, to up
/// to 5 addresses. Only a `primary_email` activity that is not Removed (404 otherwise, as the
/// path parameter's text says); at most 50 test recipients per account and UTC day (429).
#[utoipa::path(
    post,
    path = "/emails/activities/{campaign_activity_id}/tests",
    operation_id = "testSendEmailCampaignActivity",
    tag = "Email Scheduling",
    summary = "POST Test Send an Email Campaign Activity",
    params(
        ("campaign_activity_id" = String, Path,
            description = "The unique ID for an email campaign activity. You can only test \
                send email campaign activities that have the `primary_email` role."),
    ),
    request_body = TestSendBody,
    responses(
        (status = 204, description = "Test email campaign activity successfully sent. No \
            response body returned."),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["campaign_data"]), ("oauth2_access_code" = ["campaign_data"])),
)]
pub async fn test_send(
    caller: Caller<CampaignSend>,
    State(state): State<AppState>,
    IdPath(id): IdPath<CampaignActivityId>,
    Body(body): Body<TestSendBody>,
) -> Result<StatusCode, ApiError> {
    let request = TestSend::try_from(body)?;
    let account = caller.account;
    let activity = live_activity(&state, account, id).await?;
    if activity.role != ActivityRole::PrimaryEmail {
        return Err(ApiError::NotFound(format!(
            "The email campaign activity {id} is a {} activity; only a primary_email activity \
             can be test sent.",
            activity.role.as_str()
        )));
    }
    let profile = state
        .store
        .account_profile(account)
        .await?
        .ok_or_else(|| ApiError::NotFound("The account was not found.".into()))?;
    let address = state.store.physical_address(account).await?;
    let details = AccountDetails {
        profile: &profile,
        address: address.as_ref(),
    };
    // The stored content passed these checks when it was saved; a rule added since (the
    // nesting limit) is reported as the 400 a save would get, before anything is rendered.
    let content = check_content(&state, account, &activity.content, "")
        .await?
        .map_err(ApiError::Validation)?;
    // The preview's links: no tracking image, inert unsubscribe and forward links.
    let links = MessageLinks::PREVIEW;
    let footer = footer_of(&activity, &profile, address.as_ref());
    let message = Message::render(&content, &Recipient::for_test_send(details), &footer, links)
        .map_err(|error| ApiError::invalid("html_content", error.to_string()))?
        .with_personal_message(&request.personal_message)
        .with_inlined_css()
        .map_err(|error| ApiError::invalid("html_content", error.to_string()))?;
    if message.exceeds_size_limit() {
        let field = if request.personal_message.trim().is_empty() {
            "html_content"
        } else {
            "personal_message"
        };
        return Err(ApiError::invalid(
            field,
            "makes the test email larger than the 400 KB an email may have",
        ));
    }
    let headers = &activity.content;
    // The senders were checked when the activity was saved; a stored one that no longer
    // parses is refused by name, as a save would refuse it.
    let from_email = EmailAddress::parse(&headers.from_email)
        .map_err(|error| ApiError::invalid("from_email", error.to_string()))?;
    let from = Mailbox::new(Some(&headers.from_name), from_email)
        .map_err(|error| ApiError::invalid("from_name", error.to_string()))?;
    let reply_to = EmailAddress::parse(&headers.reply_to_email)
        .map(Mailbox::address)
        .map_err(|error| ApiError::invalid("reply_to_email", error.to_string()))?;
    let subject = format!("{TEST_SUBJECT_PREFIX}{}", message.subject);
    let mut outgoing = Vec::with_capacity(request.addresses.len());
    for to in &request.addresses {
        let mail = OutboxMessage::new(
            TEST_SEND_KIND,
            from.clone(),
            vec![Mailbox::address(to.clone())],
            &subject,
            &message.text,
        )
        .map_err(|error| ApiError::Internal(error.into()))?
        .with_html(&message.html)
        .with_reply_to(reply_to.clone())
        .for_account(account);
        outgoing.push(mail);
    }
    // Claimed only once the request is known to be good, so a refused request costs nothing.
    let recipients = u32::try_from(outgoing.len()).unwrap_or(u32::MAX);
    let day = Timestamp::now().millis().div_euclid(DAY_MILLIS);
    if !state
        .store
        .claim_test_send_recipients(account, day, recipients, MAX_TEST_RECIPIENTS_PER_DAY)
        .await?
    {
        return Err(ApiError::TooManyRequests(format!(
            "An account can send at most {MAX_TEST_RECIPIENTS_PER_DAY} test emails per day \
             (UTC), counting each address; {recipients} more would pass that limit."
        )));
    }
    for mail in outgoing {
        state
            .mailer
            .enqueue(mail)
            .await
            .map_err(|error| ApiError::Internal(error.into()))?;
    }
    Ok(StatusCode::NO_CONTENT)
}
