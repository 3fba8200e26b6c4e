//! The Contacts handlers (resubscription has its own file, `resubscribe.rs`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use roster_domain::contact::{
    AccountContext, Bucket, Contact, Includes, Permission, SignUpInput, SmsStatus,
};
use roster_domain::resubscription::Resubscription;
use roster_domain::FieldError;
use roster_domain::{AccountId, ContactId, ListId, PageRequest, TagId, Timestamp};

use roster_mailer::SystemMail;

use super::bodies::{
    ContactCreateBody, ContactReplaceBody, ContactWrite, ResubscribeBody, SignUpBody,
};
use super::query::{
    contact_filter, includes, segment_filter, ContactCountsQuery, ContactQuery, ContactXrefsQuery,
    ContactsQuery,
};
use super::resources::{
    ContactCollection, ContactCounts, ContactResource, SignUpResult, SmsHistoryDetails,
    SmsHistoryEntry,
};
use super::resubscribe::CONFIRM_PATH;
use crate::auth::{Caller, ContactsRead, ContactsWrite};
use crate::error::ApiError;
use crate::oauth::{random_secret, sha256_hex};
use crate::wire::responses::{Answers, BodyRejected, Conflicting, Invalid, Missing, Scoped};
use crate::wire::xrefs::{check_sequence_id_list, Xrefs};
use crate::wire::{date_time, Body, IdPath, Query};
use crate::AppState;

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 500;

/// `new_subscriber` counts contacts that opted in within this many days.
const NEW_SUBSCRIBER_DAYS: i64 = 30;

/// Checks that every list and tag a body names belongs to the account, and returns the
/// account's custom-field definitions for the domain's checks.
async fn check_references(
    state: &AppState,
    account: AccountId,
    lists: &[ListId],
    list_field: &str,
    tags: &[TagId],
) -> Result<Vec<roster_domain::custom_field::CustomField>, ApiError> {
    let mut errors = Vec::new();
    let known_lists = state.store.existing_lists(account, lists).await?;
    for (index, list) in lists.iter().enumerate() {
        if !known_lists.contains(list) {
            errors.push(FieldError::new(
                format!("{list_field}[{index}]"),
                format!("{list} is not a contact list of this account"),
            ));
        }
    }
    let known_tags = state.store.existing_tags(account, tags).await?;
    for (index, tag) in tags.iter().enumerate() {
        if !known_tags.contains(tag) {
            errors.push(FieldError::new(
                format!("taggings[{index}]"),
                format!("{tag} is not a tag of this account"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(state.store.all_custom_fields(account).await?)
}

fn not_found(id: ContactId) -> ApiError {
    ApiError::NotFound(format!("The contact {id} was not found."))
}

/// POST /contacts
#[utoipa::path(
    post,
    path = "/contacts",
    operation_id = "createContact",
    tag = "Contacts",
    summary = "POST (create) a Contact",
    request_body = ContactCreateBody,
    responses(
        (status = 201, description = "New contact successfully created", body = ContactResource),
        Invalid, Scoped, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn create(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<ContactCreateBody>,
) -> Result<(StatusCode, Json<ContactResource>), ApiError> {
    let ContactWrite { input, source } = ContactWrite::try_from(body)?;
    let definitions = check_references(
        &state,
        caller.account,
        input.list_ids.as_deref().unwrap_or_default(),
        "list_memberships",
        input.tag_ids.as_deref().unwrap_or_default(),
    )
    .await?;
    let contact = Contact::create(
        input,
        source,
        &AccountContext {
            custom_fields: &definitions,
        },
        Timestamp::now(),
    )
    .map_err(ApiError::Validation)?;
    state.store.insert_contact(caller.account, &contact).await?;
    Ok((
        StatusCode::CREATED,
        Json(ContactResource::new(contact, Includes::all())),
    ))
}

/// GET /contacts
#[utoipa::path(
    get,
    path = "/contacts",
    operation_id = "getAllContacts",
    tag = "Contacts",
    summary = "GET Contacts Collection",
    params(ContactsQuery),
    responses(
        (status = 200, description = "Request successful", body = ContactCollection),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn list(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    Query(params, query): Query<ContactsQuery>,
) -> Result<Json<ContactCollection>, ApiError> {
    let PageRequest { limit, after } = state.cursors.page_request::<ContactId>(
        &params.limit,
        &params.cursor,
        PAGE_DEFAULT,
        PAGE_MAX,
    )?;
    let filter = match params.segment_id.single() {
        None => contact_filter(&params)?,
        Some(segment) => segment_filter(&state, caller.account, &query, segment).await?,
    };
    let includes = includes(&params.include)?;
    let include_count = params
        .include_count
        .boolean("include_count")?
        .unwrap_or(false);
    let page = state
        .store
        .contacts(
            caller.account,
            &filter,
            includes,
            PageRequest { limit, after },
        )
        .await?;
    let contacts_count = if include_count {
        Some(state.store.count_contacts(caller.account, &filter).await?)
    } else {
        None
    };
    let links = state.cursors.links(
        "/v3/contacts",
        &query,
        limit,
        page.next.map(|id| id.to_string()),
    );
    Ok(Json(ContactCollection {
        contacts: page
            .items
            .into_iter()
            .map(|c| ContactResource::new(c, includes))
            .collect(),
        contacts_count,
        _links: links,
    }))
}

/// GET /contacts/{contact_id}
#[utoipa::path(
    get,
    path = "/contacts/{contact_id}",
    operation_id = "getContactById",
    tag = "Contacts",
    summary = "GET a Contact",
    params(
        ("contact_id" = String, Path, description = "Unique ID of contact to GET"),
        ContactQuery,
    ),
    responses(
        (status = 200, description = "Request successful", body = ContactResource),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn get(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ContactId>,
    Query(params, _): Query<ContactQuery>,
) -> Result<Json<ContactResource>, ApiError> {
    let includes = includes(&params.include)?;
    let contact = state
        .store
        .contact_with(caller.account, id, includes)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(ContactResource::new(contact, includes)))
}

/// PUT /contacts/{contact_id}
#[utoipa::path(
    put,
    path = "/contacts/{contact_id}",
    operation_id = "updateContact",
    tag = "Contacts",
    summary = "PUT (update) a Contact",
    params(
        ("contact_id" = String, Path, description = "Unique ID of contact to update"),
    ),
    request_body = ContactReplaceBody,
    responses(
        (status = 200, description = "Contact resource has been updated", body = ContactResource),
        Invalid, Scoped, Missing, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn replace(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ContactId>,
    Body(body): Body<ContactReplaceBody>,
) -> Result<Json<ContactResource>, ApiError> {
    let ContactWrite { input, source } = ContactWrite::try_from(body)?;
    let definitions = check_references(
        &state,
        caller.account,
        input.list_ids.as_deref().unwrap_or_default(),
        "list_memberships",
        input.tag_ids.as_deref().unwrap_or_default(),
    )
    .await?;
    let existing = state
        .store
        .contact(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let updated = existing
        .replace(
            input,
            source,
            &AccountContext {
                custom_fields: &definitions,
            },
            Timestamp::now(),
        )
        .map_err(ApiError::Validation)?;
    if !state.store.save_contact(caller.account, &updated).await? {
        return Err(not_found(id));
    }
    Ok(Json(ContactResource::new(updated, Includes::all())))
}

/// DELETE /contacts/{contact_id}: marks the contact deleted. Deleting a deleted contact
/// answers 204 again and keeps its first deletion date (the contact still exists for GET).
#[utoipa::path(
    delete,
    path = "/contacts/{contact_id}",
    operation_id = "deleteContact",
    tag = "Contacts",
    summary = "DELETE a Contact",
    params(
        ("contact_id" = String, Path, description = "Unique ID of contact to DELETE"),
    ),
    responses(
        (status = 204, description = "Request successful; No content returned"),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn delete(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ContactId>,
) -> Result<StatusCode, ApiError> {
    let existing = state
        .store
        .contact(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if existing.deleted_at.is_some() {
        return Ok(StatusCode::NO_CONTENT);
    }
    if !state
        .store
        .save_contact(caller.account, &existing.deleted(Timestamp::now()))
        .await?
    {
        return Err(not_found(id));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// POST /contacts/sign_up_form: creates the contact (201) or updates the one with the same
/// address (200). Two concurrent calls for a new address create one contact: the one that
/// loses the insert updates what the other created.
#[utoipa::path(
    post,
    path = "/contacts/sign_up_form",
    operation_id = "createOrUpdateContact",
    tag = "Contacts",
    summary = "Create or Update a Contact",
    request_body = SignUpBody,
    responses(
        (status = 200, description = "Contact successfully updated.", body = SignUpResult),
        (status = 201, description = "Contact successfully created.", body = SignUpResult),
        Invalid, Scoped, Conflicting, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn sign_up(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    Body(body): Body<SignUpBody>,
) -> Result<(StatusCode, Json<SignUpResult>), ApiError> {
    let form = SignUpInput::try_from(body)?;
    let definitions = check_references(
        &state,
        caller.account,
        &form.list_ids,
        "list_memberships",
        &[],
    )
    .await?;
    let context = AccountContext {
        custom_fields: &definitions,
    };
    // Under Confirmed Opt-In, whoever submits the form is not yet known to own the address.
    let account = state
        .store
        .account(caller.account)
        .await?
        .filter(|a| a.confirmed_opt_in);
    let confirmed_opt_in = account.is_some();
    let Some(email) = form.email.clone() else {
        // An SMS-only sign-up always creates a contact.
        let contact = form
            .create(false, &context, Timestamp::now())
            .map_err(ApiError::Validation)?;
        state.store.insert_contact(caller.account, &contact).await?;
        return Ok((
            StatusCode::CREATED,
            Json(SignUpResult {
                contact_id: contact.id.to_string(),
                action: "created",
            }),
        ));
    };
    for _ in 0..2 {
        match state.store.contact_by_email(caller.account, &email).await? {
            Some(existing) => {
                let updated = form
                    .update(&existing, confirmed_opt_in, &context, Timestamp::now())
                    .map_err(ApiError::Validation)?;
                if state.store.save_contact(caller.account, &updated).await? {
                    ask_confirmation(&state, account.as_ref(), &updated).await?;
                    return Ok((
                        StatusCode::OK,
                        Json(SignUpResult {
                            contact_id: updated.id.to_string(),
                            action: "updated",
                        }),
                    ));
                }
            }
            None => {
                let contact = form
                    .create(confirmed_opt_in, &context, Timestamp::now())
                    .map_err(ApiError::Validation)?;
                match state.store.insert_contact(caller.account, &contact).await {
                    Ok(()) => {
                        ask_confirmation(&state, account.as_ref(), &contact).await?;
                        return Ok((
                            StatusCode::CREATED,
                            Json(SignUpResult {
                                contact_id: contact.id.to_string(),
                                action: "created",
                            }),
                        ));
                    }
                    // Another request created it in between: update that one instead.
                    Err(roster_domain::StoreError::Conflict(_)) => continue,
                    Err(other) => return Err(other.into()),
                }
            }
        }
    }
    Err(ApiError::Conflict(
        "Conflict. You sent simultaneous requests that are attempting to modify the same contact."
            .into(),
    ))
}

/// Under Confirmed Opt-In (`account` is the account when it uses it), mails a signed-up
/// contact whose address is not explicit its confirmation link. If that fails after the
/// contact was written, the request answers 500 and the contact stays unconfirmed; the next
/// sign-up mails the link.
async fn ask_confirmation(
    state: &AppState,
    account: Option<&roster_domain::account::Account>,
    contact: &Contact,
) -> Result<(), ApiError> {
    let unconfirmed = contact
        .email
        .as_ref()
        .is_some_and(|e| e.permission != Permission::Explicit);
    match account {
        Some(account) if unconfirmed => {
            super::opt_in::request_confirmation(state, account, contact).await
        }
        _ => Ok(()),
    }
}

/// GET /contacts/counts, from the maintained counts.
#[utoipa::path(
    get,
    path = "/contacts/counts",
    operation_id = "getContactCounts",
    tag = "Contacts",
    summary = "GET Contact Consent Counts",
    params(ContactCountsQuery),
    responses(
        (status = 200, description = "Request successful", body = ContactCounts),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn counts(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    Query(params, _): Query<ContactCountsQuery>,
) -> Result<Json<ContactCounts>, ApiError> {
    let new_subscriber = params
        .include
        .all_of("include", &["new_subscriber"])?
        .contains(&"new_subscriber");
    let counts = state.store.contact_bucket_counts(caller.account).await?;
    let count = |bucket: Bucket| counts.get(&bucket).copied().unwrap_or(0);
    let new_subscriber = if new_subscriber {
        let since = Timestamp::now().plus_seconds(-NEW_SUBSCRIBER_DAYS * 24 * 3600);
        Some(
            state
                .store
                .count_new_subscribers(caller.account, since)
                .await?,
        )
    } else {
        None
    };
    Ok(Json(ContactCounts {
        total: Bucket::NOT_DELETED.iter().map(|b| count(*b)).sum(),
        explicit: count(Bucket::Explicit),
        implicit: count(Bucket::Implicit),
        pending: count(Bucket::PendingConfirmation),
        unsubscribed: count(Bucket::Unsubscribed),
        new_subscriber,
    }))
}

/// GET /contacts/contact_id_xrefs: Roster never had V2 ids, so no sequence id maps to a contact.
#[utoipa::path(
    get,
    path = "/contacts/contact_id_xrefs",
    operation_id = "getContactIdXrefs",
    tag = "Contacts",
    summary = "GET a collection of V2 and V3 API contact IDs",
    params(ContactXrefsQuery),
    responses(
        (status = 200, description = "Request successful", body = Xrefs),
        Invalid, Scoped, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn xrefs(
    _caller: Caller<ContactsRead>,
    Query(params, _): Query<ContactXrefsQuery>,
) -> Result<Json<Xrefs>, ApiError> {
    check_sequence_id_list(&params.sequence_ids)?;
    Ok(Json(Xrefs { xrefs: Vec::new() }))
}

/// GET /contacts/sms_engagement_history/{contact_id}: the consent changes recorded on the
/// contact's SMS channel (Roster sends no SMS, so consents are its whole SMS history).
#[utoipa::path(
    get,
    path = "/contacts/sms_engagement_history/{contact_id}",
    operation_id = "getSmsEngagementHistory",
    tag = "Contacts",
    summary = "GET SMS Engagement History for a Contact",
    params(
        ("contact_id" = String, Path, description = "The contact's unique ID."),
    ),
    responses(
        (status = 200, description = "Request successful", body = Vec<SmsHistoryEntry>),
        Invalid, Scoped, Missing, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn sms_history(
    caller: Caller<ContactsRead>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ContactId>,
) -> Result<Json<Vec<SmsHistoryEntry>>, ApiError> {
    let contact = state
        .store
        .contact(caller.account, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let Some(sms) = contact.sms_channel else {
        return Ok(Json(Vec::new()));
    };
    let entries = sms
        .consents
        .iter()
        .enumerate()
        .map(|(index, consent)| SmsHistoryEntry {
            contact_id: contact.id.to_string(),
            sms_channel_id: sms.id.to_string(),
            sms_channel_history_id: format!("{}-{}", sms.id.simple(), index + 1),
            insert_time: date_time(consent.created_at),
            history_details: SmsHistoryDetails {
                state: consent.sms_consent_permission.as_str(),
                source: sms.update_source.as_str(),
                consent_type: consent.consent_type.clone(),
                consent_action_time: date_time(consent.updated_at),
                consent_action_type: if consent.sms_consent_permission == SmsStatus::Unsubscribed {
                    "opt_out"
                } else {
                    "opt_in"
                },
                source_sms_number: format!("+{}{}", sms.dial_code, sms.sms_address),
            },
        })
        .collect();
    Ok(Json(entries))
}

/// PUT /v3/contacts/resubscribe/{contact_id}: 200 with an empty body.
#[utoipa::path(
    put,
    path = "/contacts/resubscribe/{contact_id}",
    operation_id = "resubscribeContact",
    tag = "Contacts",
    summary = "PUT Resubscribe a Contact",
    params(
        ("contact_id" = String, Path, description = "The ID that uniquely identifies the contact \
            to resubscribe."),
    ),
    request_body = ResubscribeBody,
    responses(
        (status = 200, description = "Contact resource has been updated."),
        Invalid, Scoped, Missing, BodyRejected, Answers,
    ),
    security(("oauth2_implicit" = ["contact_data"]), ("oauth2_access_code" = ["contact_data"])),
)]
pub async fn resubscribe(
    caller: Caller<ContactsWrite>,
    State(state): State<AppState>,
    IdPath(id): IdPath<ContactId>,
    Body(body): Body<ResubscribeBody>,
) -> Result<StatusCode, ApiError> {
    let lists = Vec::<ListId>::try_from(body)?;
    let known = state.store.existing_lists(caller.account, &lists).await?;
    let unknown: Vec<_> = lists
        .iter()
        .enumerate()
        .filter(|(_, list)| !known.contains(list))
        .map(|(index, list)| {
            roster_domain::FieldError::new(
                format!("list_ids[{index}]"),
                format!("{list} is not a contact list of this account"),
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::Validation(unknown));
    }
    let not_found = || ApiError::NotFound(format!("The contact {id} was not found."));
    let contact = state
        .store
        .contact(caller.account, id)
        .await?
        .ok_or_else(not_found)?;
    let Some(address) = contact.email.as_ref().map(|e| e.address.clone()) else {
        return Err(not_unsubscribed());
    };
    let now = Timestamp::now();
    let updated = contact
        .with_resubscription_lists(&lists, now)
        .map_err(|_| not_unsubscribed())?;
    let token = random_secret(32);
    let request = Resubscription {
        account: caller.account,
        contact: id,
        token_sha256: sha256_hex(&token),
        list_ids: lists,
        requested_at: now,
        confirmed_at: None,
        declined_at: None,
    };
    if !state
        .store
        .request_resubscription(&request, &updated, contact.updated_at)
        .await?
    {
        return Err(not_found());
    }
    let organization = state
        .store
        .account(caller.account)
        .await?
        .and_then(|a| a.organization_name)
        .unwrap_or_else(|| "our mailing list".into());
    let link = format!(
        "{}{CONFIRM_PATH}?token={token}",
        state.config.public_url.trim_end_matches('/')
    );
    let mail = SystemMail::ResubscribeConfirmation {
        account: caller.account,
        organization,
        contact: address,
        confirm_url: link.clone(),
        // The contact is unsubscribed already: "stop all email" declines the request, which
        // keeps them so and kills the link (RFC 8058 one-click POSTs land there too).
        unsubscribe_url: format!("{link}&action=decline"),
    };
    if let Err(error) = state.mailer.enqueue_system(&mail).await {
        // Without its mail the request is worthless; withdrawing it lets the account retry.
        // The lists stay: the contact is unsubscribed, so they change no active count.
        if let Err(withdraw) = state
            .store
            .withdraw_resubscription(caller.account, id)
            .await
        {
            tracing::error!(error = %withdraw, "cannot withdraw a resubscription whose mail \
                failed");
        }
        return Err(ApiError::Internal(
            anyhow::Error::new(error).context("cannot queue the resubscription mail"),
        ));
    }
    Ok(StatusCode::OK)
}

fn not_unsubscribed() -> ApiError {
    ApiError::Conflict(
        "The contact can only be resubscribed when unsubscribed (its email permission is \
            unsubscribed)."
            .into(),
    )
}
