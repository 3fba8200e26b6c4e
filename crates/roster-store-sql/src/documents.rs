//! The JSON documents some columns hold: a contact's phone numbers, street addresses, notes and
//! SMS channel, and a custom field's choices. These are their stored shapes (instants as
//! milliseconds since the epoch, like every other column), with the conversions from and to the
//! domain's types, which hold `Timestamp`s. The field names and their order are the stored text:
//! changing one changes what is written, and segment conditions read address parts by name.

use roster_domain::contact::{
    AddressKind, Note, PhoneKind, PhoneNumber, SmsChannel, SmsConsent, SmsStatus, Source,
    StreetAddress,
};
use roster_domain::custom_field::CustomFieldChoice;
use roster_domain::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The stored form of a list of sub-resources.
pub fn stored<'a, T: 'a, D: From<&'a T>>(items: impl IntoIterator<Item = &'a T>) -> Vec<D> {
    items.into_iter().map(D::from).collect()
}

/// The domain form of a stored list.
pub fn domain<D, T: From<D>>(documents: Vec<D>) -> Vec<T> {
    documents.into_iter().map(T::from).collect()
}

#[derive(Serialize, Deserialize)]
pub struct PhoneNumberDocument {
    pub id: Uuid,
    pub phone_number: Option<String>,
    pub kind: Option<PhoneKind>,
    pub create_source: Source,
    pub update_source: Source,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&PhoneNumber> for PhoneNumberDocument {
    fn from(phone: &PhoneNumber) -> Self {
        PhoneNumberDocument {
            id: phone.id,
            phone_number: phone.phone_number.clone(),
            kind: phone.kind,
            create_source: phone.create_source,
            update_source: phone.update_source,
            created_at: phone.created_at.millis(),
            updated_at: phone.updated_at.millis(),
        }
    }
}

impl From<PhoneNumberDocument> for PhoneNumber {
    fn from(stored: PhoneNumberDocument) -> Self {
        PhoneNumber {
            id: stored.id,
            phone_number: stored.phone_number,
            kind: stored.kind,
            create_source: stored.create_source,
            update_source: stored.update_source,
            created_at: Timestamp::from_millis(stored.created_at),
            updated_at: Timestamp::from_millis(stored.updated_at),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct StreetAddressDocument {
    pub id: Uuid,
    pub kind: AddressKind,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&StreetAddress> for StreetAddressDocument {
    fn from(address: &StreetAddress) -> Self {
        StreetAddressDocument {
            id: address.id,
            kind: address.kind,
            street: address.street.clone(),
            city: address.city.clone(),
            state: address.state.clone(),
            postal_code: address.postal_code.clone(),
            country: address.country.clone(),
            created_at: address.created_at.millis(),
            updated_at: address.updated_at.millis(),
        }
    }
}

impl From<StreetAddressDocument> for StreetAddress {
    fn from(stored: StreetAddressDocument) -> Self {
        StreetAddress {
            id: stored.id,
            kind: stored.kind,
            street: stored.street,
            city: stored.city,
            state: stored.state,
            postal_code: stored.postal_code,
            country: stored.country,
            created_at: Timestamp::from_millis(stored.created_at),
            updated_at: Timestamp::from_millis(stored.updated_at),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct NoteDocument {
    pub id: Uuid,
    pub created_at: i64,
    pub content: String,
}

impl From<&Note> for NoteDocument {
    fn from(note: &Note) -> Self {
        NoteDocument {
            id: note.id,
            created_at: note.created_at.millis(),
            content: note.content.clone(),
        }
    }
}

impl From<NoteDocument> for Note {
    fn from(stored: NoteDocument) -> Self {
        Note {
            id: stored.id,
            created_at: Timestamp::from_millis(stored.created_at),
            content: stored.content,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct SmsConsentDocument {
    pub sms_consent_permission: SmsStatus,
    pub consent_type: String,
    pub consent_medium_details: Option<String>,
    pub opt_in_date: Option<i64>,
    pub opt_out_date: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&SmsConsent> for SmsConsentDocument {
    fn from(consent: &SmsConsent) -> Self {
        SmsConsentDocument {
            sms_consent_permission: consent.sms_consent_permission,
            consent_type: consent.consent_type.clone(),
            consent_medium_details: consent.consent_medium_details.clone(),
            opt_in_date: consent.opt_in_date.map(Timestamp::millis),
            opt_out_date: consent.opt_out_date.map(Timestamp::millis),
            created_at: consent.created_at.millis(),
            updated_at: consent.updated_at.millis(),
        }
    }
}

impl From<SmsConsentDocument> for SmsConsent {
    fn from(stored: SmsConsentDocument) -> Self {
        SmsConsent {
            sms_consent_permission: stored.sms_consent_permission,
            consent_type: stored.consent_type,
            consent_medium_details: stored.consent_medium_details,
            opt_in_date: stored.opt_in_date.map(Timestamp::from_millis),
            opt_out_date: stored.opt_out_date.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(stored.created_at),
            updated_at: Timestamp::from_millis(stored.updated_at),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct SmsChannelDocument {
    pub id: Uuid,
    pub dial_code: String,
    pub sms_address: String,
    pub country_code: String,
    pub create_source: Source,
    pub update_source: Source,
    pub consents: Vec<SmsConsentDocument>,
}

impl From<&SmsChannel> for SmsChannelDocument {
    fn from(channel: &SmsChannel) -> Self {
        SmsChannelDocument {
            id: channel.id,
            dial_code: channel.dial_code.clone(),
            sms_address: channel.sms_address.clone(),
            country_code: channel.country_code.clone(),
            create_source: channel.create_source,
            update_source: channel.update_source,
            consents: stored(&channel.consents),
        }
    }
}

impl From<SmsChannelDocument> for SmsChannel {
    fn from(stored: SmsChannelDocument) -> Self {
        SmsChannel {
            id: stored.id,
            dial_code: stored.dial_code,
            sms_address: stored.sms_address,
            country_code: stored.country_code,
            create_source: stored.create_source,
            update_source: stored.update_source,
            consents: domain(stored.consents),
        }
    }
}

/// A custom field's choice; its instants keep the names the first schema gave them.
#[derive(Serialize, Deserialize)]
pub struct ChoiceDocument {
    pub choice_id: i64,
    pub choice_label: String,
    pub display_order: i64,
    pub created_at_millis: i64,
    pub updated_at_millis: i64,
}

impl From<&CustomFieldChoice> for ChoiceDocument {
    fn from(choice: &CustomFieldChoice) -> Self {
        ChoiceDocument {
            choice_id: choice.choice_id,
            choice_label: choice.choice_label.clone(),
            display_order: choice.display_order,
            created_at_millis: choice.created_at.millis(),
            updated_at_millis: choice.updated_at.millis(),
        }
    }
}

impl From<ChoiceDocument> for CustomFieldChoice {
    fn from(stored: ChoiceDocument) -> Self {
        CustomFieldChoice {
            choice_id: stored.choice_id,
            choice_label: stored.choice_label,
            display_order: stored.display_order,
            created_at: Timestamp::from_millis(stored.created_at_millis),
            updated_at: Timestamp::from_millis(stored.updated_at_millis),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text written before the domain held `Timestamp`s reads back, and writes again
    /// byte for byte.
    #[test]
    fn documents_keep_their_stored_text() {
        let id = r#"{"id":"0190b4a2-7c1e-7d7a-8a4b-1f2e3d4c5b6a","#;
        let phones = [
            "[",
            id,
            r#""phone_number":"555","kind":"work","create_source":"Account","#,
            r#""update_source":"Contact","created_at":1,"updated_at":2}]"#,
        ]
        .concat();
        let addresses = [
            "[",
            id,
            r#""kind":"home","street":"1 Main St","city":null,"state":null,"#,
            r#""postal_code":"12345","country":"US","created_at":3,"updated_at":4}]"#,
        ]
        .concat();
        let notes = ["[", id, r#""created_at":5,"content":"hi"}]"#].concat();
        let sms = [
            id,
            r#""dial_code":"1","sms_address":"5551234567","country_code":"US","#,
            r#""create_source":"Account","update_source":"Account","consents":["#,
            r#"{"sms_consent_permission":"explicit","consent_type":"promotional_sms","#,
            r#""consent_medium_details":null,"opt_in_date":6,"opt_out_date":null,"#,
            r#""created_at":6,"updated_at":7}]}"#,
        ]
        .concat();
        let choices = concat!(
            r#"[{"choice_id":1,"choice_label":"Apple","display_order":1,"#,
            r#""created_at_millis":8,"updated_at_millis":9}]"#
        );

        let read: Vec<PhoneNumber> =
            domain(serde_json::from_str::<Vec<PhoneNumberDocument>>(&phones).unwrap());
        assert_eq!(read[0].updated_at, Timestamp::from_millis(2));
        let again = serde_json::to_string(&stored::<_, PhoneNumberDocument>(&read)).unwrap();
        assert_eq!(again, phones);

        let read: Vec<StreetAddress> =
            domain(serde_json::from_str::<Vec<StreetAddressDocument>>(&addresses).unwrap());
        assert_eq!(read[0].created_at, Timestamp::from_millis(3));
        let again = serde_json::to_string(&stored::<_, StreetAddressDocument>(&read)).unwrap();
        assert_eq!(again, addresses);

        let read: Vec<Note> = domain(serde_json::from_str::<Vec<NoteDocument>>(&notes).unwrap());
        assert_eq!(read[0].created_at, Timestamp::from_millis(5));
        let again = serde_json::to_string(&stored::<_, NoteDocument>(&read)).unwrap();
        assert_eq!(again, notes);

        let read = SmsChannel::from(serde_json::from_str::<SmsChannelDocument>(&sms).unwrap());
        assert_eq!(
            read.consents[0].opt_in_date,
            Some(Timestamp::from_millis(6))
        );
        let again = serde_json::to_string(&SmsChannelDocument::from(&read)).unwrap();
        assert_eq!(again, sms);

        let read: Vec<CustomFieldChoice> =
            domain(serde_json::from_str::<Vec<ChoiceDocument>>(choices).unwrap());
        assert_eq!(read[0].created_at, Timestamp::from_millis(8));
        let again = serde_json::to_string(&stored::<_, ChoiceDocument>(&read)).unwrap();
        assert_eq!(again, choices);
    }
}
