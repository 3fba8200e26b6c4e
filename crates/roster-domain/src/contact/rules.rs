//! The rules of POST and PUT /contacts: what a body may hold (counts, birthday and anniversary
//! dates, custom values) and how it creates or replaces a contact, with the consent rules of
//! each path; also the resubscription and the soft delete.

use super::custom_values::{check_custom_values, AccountContext, CustomValue, CustomValueInput};
use super::limits::{
    MAX_CUSTOM_FIELDS, MAX_LIST_MEMBERSHIPS, MAX_NOTES, MAX_PHONE_NUMBERS, MAX_STREET_ADDRESSES,
    MAX_TAGGINGS,
};
use super::record::Source;
use super::record::{apply_permission, new_email_channel, EmailInput, Permission};
use super::record::{
    build_addresses, build_notes, build_phones, AddressInput, NoteInput, PhoneInput,
};
use super::record::{build_sms, SmsInput};
use super::record::{Birthday, Contact};
use crate::time::parse_loose_date;
use crate::{FieldError, ListId, TagId, Timestamp};

/// The properties of a POST or PUT body (every one optional at this level).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    pub email: Option<EmailInput>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub birthday_month: Option<i64>,
    pub birthday_day: Option<i64>,
    pub anniversary: Option<String>,
    pub custom_fields: Option<Vec<CustomValueInput>>,
    pub phone_numbers: Option<Vec<PhoneInput>>,
    pub street_addresses: Option<Vec<AddressInput>>,
    pub list_ids: Option<Vec<ListId>>,
    pub tag_ids: Option<Vec<TagId>>,
    pub notes: Option<Vec<NoteInput>>,
    pub sms_channel: Option<SmsInput>,
}

fn days_in_month(month: u8) -> u8 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

pub(super) fn check_birthday(
    month: Option<i64>,
    day: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> Option<Birthday> {
    match (month, day) {
        (None, None) => None,
        (Some(_), None) => {
            errors.push(FieldError::new(
                "birthday_day",
                "is required when birthday_month is given",
            ));
            None
        }
        (None, Some(_)) => {
            errors.push(FieldError::new(
                "birthday_month",
                "is required when birthday_day is given",
            ));
            None
        }
        (Some(month), Some(day)) => {
            if !(1..=12).contains(&month) {
                errors.push(FieldError::new("birthday_month", "must be from 1 to 12"));
                return None;
            }
            let month = month as u8;
            let last = days_in_month(month);
            if !(1..=i64::from(last)).contains(&day) {
                errors.push(FieldError::new(
                    "birthday_day",
                    format!("must be from 1 to {last} for month {month}"),
                ));
                return None;
            }
            Some(Birthday {
                month,
                day: day as u8,
            })
        }
    }
}

pub(super) fn check_anniversary(
    text: Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = text?;
    match parse_loose_date(&text) {
        Some(date) => Some(date),
        None => {
            errors.push(FieldError::new(
                "anniversary",
                "must be a real date in one of the forms MM/DD/YYYY, M/D/YYYY, YYYY/MM/DD, \
                 YYYY/M/D, YYYY-MM-DD, YYYY-M-D, M-D-YYYY or MM-DD-YYYY",
            ));
            None
        }
    }
}

pub(super) fn check_count(
    name: &str,
    len: usize,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> bool {
    if len > max {
        errors.push(FieldError::new(
            name,
            format!("may hold at most {max} items"),
        ));
        return false;
    }
    true
}

fn dedup<T: PartialEq + Copy>(ids: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    out
}

struct Common {
    custom_fields: Option<Vec<CustomValue>>,
    birthday: Option<Birthday>,
    anniversary: Option<String>,
}

/// The checks every path shares, after the caller's own (`found`, the problems it found):
/// every problem at once, or what the checks parsed. The list, tag and custom-field ids were
/// checked to exist by the caller (custom fields via `context`).
fn check_common(
    input: &mut ContactInput,
    context: &AccountContext<'_>,
    mut found: Vec<FieldError>,
) -> Result<Common, Vec<FieldError>> {
    let errors = &mut found;
    let birthday = check_birthday(input.birthday_month, input.birthday_day, errors);
    let anniversary = check_anniversary(input.anniversary.take(), errors);
    let custom_fields = input.custom_fields.as_ref().and_then(|inputs| {
        check_count("custom_fields", inputs.len(), MAX_CUSTOM_FIELDS, errors)
            .then(|| check_custom_values(inputs, context, "custom_fields", errors))
    });
    if let Some(phones) = &input.phone_numbers {
        check_count("phone_numbers", phones.len(), MAX_PHONE_NUMBERS, errors);
    }
    if let Some(addresses) = &input.street_addresses {
        check_count(
            "street_addresses",
            addresses.len(),
            MAX_STREET_ADDRESSES,
            errors,
        );
    }
    if let Some(lists) = &input.list_ids {
        check_count(
            "list_memberships",
            lists.len(),
            MAX_LIST_MEMBERSHIPS,
            errors,
        );
    }
    if let Some(tags) = &input.tag_ids {
        check_count("taggings", tags.len(), MAX_TAGGINGS, errors);
    }
    if let Some(notes) = &input.notes {
        check_count("notes", notes.len(), MAX_NOTES, errors);
    }
    if !found.is_empty() {
        return Err(found);
    }
    Ok(Common {
        custom_fields,
        birthday,
        anniversary,
    })
}

impl Contact {
    /// POST /contacts: a new contact as sent. `create_source` is required; so is one of
    /// first_name, last_name, email_address or sms_channel. Permission defaults to implicit
    /// when an address is sent without one.
    pub fn create(
        mut input: ContactInput,
        create_source: Source,
        context: &AccountContext<'_>,
        now: Timestamp,
    ) -> Result<Contact, Vec<FieldError>> {
        let mut errors = Vec::new();
        if input.first_name.is_none()
            && input.last_name.is_none()
            && input.email.is_none()
            && input.sms_channel.is_none()
        {
            errors.push(FieldError::new(
                "email_address",
                "is required unless first_name, last_name or sms_channel is given",
            ));
        }
        let common = check_common(&mut input, context, errors)?;
        let email = input
            .email
            .as_ref()
            .map(|e| new_email_channel(e, create_source, now, Permission::Implicit));
        Ok(Contact {
            email,
            first_name: input.first_name,
            last_name: input.last_name,
            job_title: input.job_title,
            company_name: input.company_name,
            birthday: common.birthday,
            anniversary: common.anniversary,
            custom_fields: common.custom_fields.unwrap_or_default(),
            phone_numbers: build_phones(
                input.phone_numbers.unwrap_or_default(),
                create_source,
                now,
                &[],
            ),
            street_addresses: build_addresses(input.street_addresses.unwrap_or_default(), now, &[]),
            notes: build_notes(input.notes.unwrap_or_default(), now),
            list_ids: dedup(&input.list_ids.unwrap_or_default()),
            tag_ids: dedup(&input.tag_ids.unwrap_or_default()),
            sms_channel: input
                .sms_channel
                .map(|sms| build_sms(sms, create_source, now, None)),
            ..Contact::blank(create_source, now)
        })
    }

    /// PUT /contacts/{id}: top-level properties are overwritten (omitted ones become null);
    /// sub-resources are replaced only when sent. A deleted contact is revived only when the
    /// update comes from the Account. An unsubscribed contact is re-subscribed only when the
    /// change comes from the Contact; from the Account, its permission stays unsubscribed.
    pub fn replace(
        &self,
        mut input: ContactInput,
        update_source: Source,
        context: &AccountContext<'_>,
        now: Timestamp,
    ) -> Result<Contact, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.deleted_at.is_some() && update_source != Source::Account {
            errors.push(FieldError::new(
                "update_source",
                "must be Account to restore a deleted contact",
            ));
        }
        let common = check_common(&mut input, context, errors)?;
        let email = match (&input.email, &self.email) {
            (None, existing) => existing.clone(),
            (Some(sent), None) => Some(new_email_channel(
                sent,
                update_source,
                now,
                Permission::Implicit,
            )),
            (Some(sent), Some(existing)) => {
                let mut channel = existing.clone();
                if channel.address != sent.address {
                    channel.address = sent.address.clone();
                    channel.updated_at = now;
                }
                if let Some(requested) = sent.permission {
                    let resubscribing = existing.permission == Permission::Unsubscribed
                        && requested != Permission::Unsubscribed;
                    if !resubscribing || update_source == Source::Contact {
                        apply_permission(
                            &mut channel,
                            requested,
                            update_source,
                            sent.opt_out_reason.clone(),
                            now,
                        );
                    }
                }
                if channel.permission == Permission::Unsubscribed && sent.opt_out_reason.is_some() {
                    channel.opt_out_reason = sent.opt_out_reason.clone();
                }
                Some(channel)
            }
        };
        Ok(Contact {
            id: self.id,
            email,
            first_name: input.first_name,
            last_name: input.last_name,
            job_title: input.job_title,
            company_name: input.company_name,
            birthday: common.birthday,
            anniversary: common.anniversary,
            create_source: self.create_source,
            update_source,
            created_at: self.created_at,
            updated_at: now,
            deleted_at: None,
            custom_fields: common
                .custom_fields
                .unwrap_or_else(|| self.custom_fields.clone()),
            phone_numbers: match input.phone_numbers {
                Some(phones) => build_phones(phones, update_source, now, &self.phone_numbers),
                None => self.phone_numbers.clone(),
            },
            street_addresses: match input.street_addresses {
                Some(addresses) => build_addresses(addresses, now, &self.street_addresses),
                None => self.street_addresses.clone(),
            },
            notes: input
                .notes
                .map(|notes| build_notes(notes, now))
                .unwrap_or_else(|| self.notes.clone()),
            list_ids: input
                .list_ids
                .map(|ids| dedup(&ids))
                .unwrap_or_else(|| self.list_ids.clone()),
            tag_ids: input
                .tag_ids
                .map(|ids| dedup(&ids))
                .unwrap_or_else(|| self.tag_ids.clone()),
            sms_channel: match input.sms_channel {
                Some(sms) => Some(build_sms(
                    sms,
                    update_source,
                    now,
                    self.sms_channel.as_ref(),
                )),
                None => self.sms_channel.clone(),
            },
        })
    }

    /// The contact once it confirmed a resubscription request through the mailed link: its
    /// address becomes explicit, opted in by the Contact now, and the opt-out facts are cleared.
    pub fn resubscribed_by_contact(&self, now: Timestamp) -> Contact {
        let mut contact = self.clone();
        if let Some(channel) = &mut contact.email {
            apply_permission(channel, Permission::Explicit, Source::Contact, None, now);
        }
        contact.update_source = Source::Contact;
        contact.updated_at = now;
        contact
    }

    /// DELETE /contacts/{id}: the contact stays, marked deleted (its memberships remain for
    /// a later revival but no longer count).
    pub fn deleted(&self, now: Timestamp) -> Contact {
        let mut contact = self.clone();
        contact.deleted_at = Some(now);
        contact.updated_at = now;
        contact
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::fixtures::{context, created, email, fields, unsubscribed_contact};
    use crate::contact::record::Bucket;
    use crate::contact::record::PhoneKind;

    #[test]
    fn birthdays_must_be_real_days() {
        let mut errors = Vec::new();
        assert_eq!(
            check_birthday(Some(2), Some(29), &mut errors),
            Some(Birthday { month: 2, day: 29 })
        );
        assert_eq!(check_birthday(Some(2), Some(31), &mut errors), None);
        assert_eq!(check_birthday(Some(13), Some(1), &mut errors), None);
        assert_eq!(check_birthday(Some(4), None, &mut errors), None);
        assert_eq!(
            fields(errors),
            ["birthday_day", "birthday_month", "birthday_day"]
        );
    }

    #[test]
    fn post_needs_a_name_an_address_or_sms() {
        let errors = Contact::create(
            ContactInput::default(),
            Source::Account,
            &context(),
            Timestamp::now(),
        )
        .unwrap_err();
        assert_eq!(fields(errors), ["email_address"]);
        let input = ContactInput {
            first_name: Some("Ann".into()),
            ..Default::default()
        };
        assert!(Contact::create(input, Source::Account, &context(), Timestamp::now()).is_ok());
    }

    #[test]
    fn post_defaults_to_implicit_permission_from_the_creator() {
        let input = ContactInput {
            email: email("a@example.com", None),
            ..Default::default()
        };
        let contact = created(input, 5);
        let channel = contact.email.unwrap();
        assert_eq!(channel.permission, Permission::Implicit);
        assert_eq!(channel.opt_in_source, Some(Source::Account));
        assert_eq!(channel.opt_in_date, Some(Timestamp::from_millis(5)));
    }

    #[test]
    fn put_from_the_account_does_not_resubscribe() {
        let contact = unsubscribed_contact();
        let put = ContactInput {
            email: email("a@example.com", Some(Permission::Explicit)),
            ..Default::default()
        };
        let updated = contact
            .replace(
                put.clone(),
                Source::Account,
                &context(),
                Timestamp::from_millis(2),
            )
            .unwrap();
        assert_eq!(
            updated.email.as_ref().unwrap().permission,
            Permission::Unsubscribed
        );
        let by_contact = contact
            .replace(put, Source::Contact, &context(), Timestamp::from_millis(2))
            .unwrap();
        assert_eq!(by_contact.email.unwrap().permission, Permission::Explicit);
    }

    #[test]
    fn put_overwrites_top_level_and_keeps_omitted_sub_resources() {
        let input = ContactInput {
            first_name: Some("Ann".into()),
            job_title: Some("CEO".into()),
            phone_numbers: Some(vec![PhoneInput {
                phone_number: Some("555".into()),
                kind: Some(PhoneKind::Work),
            }]),
            ..Default::default()
        };
        let contact = created(input, 1);
        let put = ContactInput {
            first_name: Some("Anne".into()),
            ..Default::default()
        };
        let updated = contact
            .replace(put, Source::Account, &context(), Timestamp::from_millis(2))
            .unwrap();
        assert_eq!(updated.first_name.as_deref(), Some("Anne"));
        assert_eq!(updated.job_title, None);
        assert_eq!(updated.phone_numbers, contact.phone_numbers);
    }

    #[test]
    fn deleted_contacts_are_restored_only_by_the_account() {
        let contact = unsubscribed_contact().deleted(Timestamp::from_millis(3));
        assert_eq!(contact.bucket(), Bucket::Deleted);
        let put = ContactInput {
            first_name: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(
            fields(
                contact
                    .replace(put.clone(), Source::Contact, &context(), Timestamp::now())
                    .unwrap_err()
            ),
            ["update_source"]
        );
        let revived = contact
            .replace(put, Source::Account, &context(), Timestamp::now())
            .unwrap();
        assert_eq!(revived.bucket(), Bucket::Unsubscribed);
    }
}
