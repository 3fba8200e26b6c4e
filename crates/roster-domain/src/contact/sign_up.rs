//! POST /contacts/sign_up_form: the form's body, the contact it creates, and how it updates an
//! existing one (properties sent overwrite, lists and custom values are added, permission
//! becomes explicit, a deleted contact is restored).

use super::custom_values::{check_custom_values, AccountContext, CustomValue, CustomValueInput};
use super::limits::{
    MAX_CUSTOM_FIELDS, MAX_LIST_MEMBERSHIPS, MAX_PHONE_NUMBERS, MAX_STREET_ADDRESSES,
};
use super::record::Contact;
use super::record::Source;
use super::record::{apply_permission, new_email_channel, EmailInput, Permission};
use super::record::{build_addresses, build_phones, AddressInput, PhoneInput};
use super::record::{build_sms, SmsInput};
use super::rules::{check_anniversary, check_birthday, check_count, ContactInput};
use crate::{EmailAddress, FieldError, ListId, Timestamp};

/// The body of POST /contacts/sign_up_form once its shape was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpInput {
    pub email: Option<EmailAddress>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub phone_number: Option<String>,
    pub list_ids: Vec<ListId>,
    pub custom_fields: Vec<CustomValueInput>,
    pub anniversary: Option<String>,
    pub birthday_month: Option<i64>,
    pub birthday_day: Option<i64>,
    pub street_address: Option<AddressInput>,
    pub sms_channel: Option<SmsInput>,
}

impl SignUpInput {
    /// The sign-up form as a partial contact input; `custom_fields` limit is 50 here.
    fn as_contact_input(&self) -> ContactInput {
        ContactInput {
            email: self.email.clone().map(|address| EmailInput {
                address,
                permission: None,
                opt_out_reason: None,
            }),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            job_title: self.job_title.clone(),
            company_name: self.company_name.clone(),
            birthday_month: self.birthday_month,
            birthday_day: self.birthday_day,
            anniversary: self.anniversary.clone(),
            custom_fields: None,
            phone_numbers: self.phone_number.clone().map(|n| {
                vec![PhoneInput {
                    phone_number: Some(n),
                    kind: None,
                }]
            }),
            street_addresses: self.street_address.clone().map(|a| vec![a]),
            list_ids: Some(self.list_ids.clone()),
            tag_ids: None,
            notes: None,
            sms_channel: self.sms_channel.clone(),
        }
    }

    fn checked_values(
        &self,
        context: &AccountContext<'_>,
        errors: &mut Vec<FieldError>,
    ) -> Vec<CustomValue> {
        check_custom_values(&self.custom_fields, context, "custom_fields", errors)
    }

    /// A new contact from the form: explicit permission from the Contact, or
    /// pending_confirmation when the account uses Confirmed Opt-In.
    pub fn create(
        &self,
        confirmed_opt_in: bool,
        context: &AccountContext<'_>,
        now: Timestamp,
    ) -> Result<Contact, Vec<FieldError>> {
        let mut errors = Vec::new();
        let values = self.checked_values(context, &mut errors);
        let mut input = self.as_contact_input();
        let permission = if confirmed_opt_in {
            Permission::PendingConfirmation
        } else {
            Permission::Explicit
        };
        if let Some(email) = &mut input.email {
            email.permission = Some(permission);
        }
        let created = Contact::create(input, Source::Contact, context, now);
        match created {
            Ok(mut contact) if errors.is_empty() => {
                contact.custom_fields = values;
                Ok(contact)
            }
            Ok(_) => Err(errors),
            Err(mut more) => {
                errors.append(&mut more);
                Err(errors)
            }
        }
    }

    /// An existing contact updated by the form: only the properties sent change; lists and
    /// custom fields are appended; a deleted contact is restored. The permission becomes
    /// explicit, unless the account uses Confirmed Opt-In: then it stays as it was until the
    /// contact confirms through the mailed link (a sign-up never lowers a permission, and a
    /// form anyone can submit never raises one without the address's owner).
    pub fn update(
        &self,
        existing: &Contact,
        confirmed_opt_in: bool,
        context: &AccountContext<'_>,
        now: Timestamp,
    ) -> Result<Contact, Vec<FieldError>> {
        let mut errors = Vec::new();
        let values = self.checked_values(context, &mut errors);
        let birthday = check_birthday(self.birthday_month, self.birthday_day, &mut errors);
        let anniversary = check_anniversary(self.anniversary.clone(), &mut errors);
        let mut contact = existing.clone();
        for value in values {
            match contact
                .custom_fields
                .iter_mut()
                .find(|v| v.custom_field_id == value.custom_field_id)
            {
                Some(slot) => *slot = value,
                None => contact.custom_fields.push(value),
            }
        }
        check_count(
            "custom_fields",
            contact.custom_fields.len(),
            MAX_CUSTOM_FIELDS,
            &mut errors,
        );
        for list in &self.list_ids {
            if !contact.list_ids.contains(list) {
                contact.list_ids.push(*list);
            }
        }
        check_count(
            "list_memberships",
            contact.list_ids.len(),
            MAX_LIST_MEMBERSHIPS,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        contact.overwrite_sent_names([
            &self.first_name,
            &self.last_name,
            &self.job_title,
            &self.company_name,
        ]);
        if birthday.is_some() {
            contact.birthday = birthday;
        }
        if anniversary.is_some() {
            contact.anniversary = anniversary;
        }
        if let Some(number) = &self.phone_number {
            if !contact
                .phone_numbers
                .iter()
                .any(|p| p.phone_number.as_deref() == Some(number))
            {
                let input = PhoneInput {
                    phone_number: Some(number.clone()),
                    kind: None,
                };
                contact
                    .phone_numbers
                    .extend(build_phones(vec![input], Source::Contact, now, &[]));
                if contact.phone_numbers.len() > MAX_PHONE_NUMBERS {
                    contact.phone_numbers.remove(0);
                }
            }
        }
        if let Some(address) = &self.street_address {
            contact.street_addresses.extend(build_addresses(
                vec![address.clone()],
                now,
                &contact.street_addresses,
            ));
            contact.street_addresses.dedup_by(|a, b| a.id == b.id);
            if contact.street_addresses.len() > MAX_STREET_ADDRESSES {
                contact.street_addresses.remove(0);
            }
        }
        if let Some(sms) = &self.sms_channel {
            contact.sms_channel = Some(build_sms(
                sms.clone(),
                Source::Contact,
                now,
                contact.sms_channel.as_ref(),
            ));
        }
        let arriving = if confirmed_opt_in {
            Permission::PendingConfirmation
        } else {
            Permission::Explicit
        };
        match (&mut contact.email, &self.email) {
            (Some(_), _) if confirmed_opt_in => {}
            (Some(channel), _) => {
                apply_permission(channel, Permission::Explicit, Source::Contact, None, now)
            }
            (None, Some(address)) => {
                let input = EmailInput {
                    address: address.clone(),
                    permission: Some(arriving),
                    opt_out_reason: None,
                };
                contact.email = Some(new_email_channel(&input, Source::Contact, now, arriving));
            }
            (None, None) => {}
        }
        contact.deleted_at = None;
        contact.update_source = Source::Contact;
        contact.updated_at = now;
        Ok(contact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::fixtures::{context, unsubscribed_contact};
    use crate::contact::record::Bucket;

    #[test]
    fn sign_up_appends_lists_and_opts_in_explicitly() {
        let list_a = ListId::generate();
        let list_b = ListId::generate();
        let mut contact = unsubscribed_contact();
        contact.list_ids = vec![list_a];
        let form = SignUpInput {
            email: Some(EmailAddress::parse("a@example.com").unwrap()),
            first_name: Some("Ann".into()),
            last_name: None,
            job_title: None,
            company_name: None,
            phone_number: None,
            list_ids: vec![list_b, list_a],
            custom_fields: vec![],
            anniversary: None,
            birthday_month: None,
            birthday_day: None,
            street_address: None,
            sms_channel: None,
        };
        let updated = form
            .update(
                &contact.deleted(Timestamp::from_millis(2)),
                false,
                &context(),
                Timestamp::from_millis(3),
            )
            .unwrap();
        assert_eq!(updated.list_ids, vec![list_a, list_b]);
        assert_eq!(updated.bucket(), Bucket::Explicit);
        assert_eq!(updated.email.unwrap().opt_in_source, Some(Source::Contact));
        let created = form.create(true, &context(), Timestamp::now()).unwrap();
        assert_eq!(created.bucket(), Bucket::PendingConfirmation);
        assert_eq!(created.create_source, Source::Contact);
    }

    #[test]
    fn under_confirmed_opt_in_an_update_keeps_the_permission() {
        let list = ListId::generate();
        let form = SignUpInput {
            email: Some(EmailAddress::parse("a@example.com").unwrap()),
            first_name: Some("Ann".into()),
            last_name: None,
            job_title: None,
            company_name: None,
            phone_number: None,
            list_ids: vec![list],
            custom_fields: vec![],
            anniversary: None,
            birthday_month: None,
            birthday_day: None,
            street_address: None,
            sms_channel: None,
        };
        let contact = unsubscribed_contact();
        let updated = form
            .update(&contact, true, &context(), Timestamp::from_millis(3))
            .unwrap();
        assert_eq!(updated.bucket(), Bucket::Unsubscribed);
        assert_eq!(updated.email, contact.email);
        assert_eq!(updated.list_ids, vec![list]);
        assert_eq!(updated.first_name.as_deref(), Some("Ann"));
    }
}
