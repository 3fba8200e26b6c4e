//! A contact's phone numbers, street addresses and notes: the stored sub-resources, their
//! inputs, and how a sent list replaces the stored one (an unchanged entry keeps its id and
//! creation time).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::source::Source;
use super::wire_enum::wire_enum;
use crate::Timestamp;

wire_enum!(
    /// `phone_numbers[].kind`.
    PhoneKind { Home = "home", Work = "work", Mobile = "mobile", Other = "other" }
);

wire_enum!(
    /// `street_addresses[].kind`.
    AddressKind { Home = "home", Work = "work", Other = "other" }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    pub id: Uuid,
    pub phone_number: Option<String>,
    pub kind: Option<PhoneKind>,
    pub create_source: Source,
    pub update_source: Source,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreetAddress {
    pub id: Uuid,
    pub kind: AddressKind,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: Uuid,
    pub created_at: Timestamp,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneInput {
    pub phone_number: Option<String>,
    pub kind: Option<PhoneKind>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressInput {
    pub kind: AddressKind,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteInput {
    pub note_id: Option<Uuid>,
    pub created_at: Option<Timestamp>,
    pub content: String,
}

pub(super) fn build_phones(
    inputs: Vec<PhoneInput>,
    source: Source,
    now: Timestamp,
    old: &[PhoneNumber],
) -> Vec<PhoneNumber> {
    inputs
        .into_iter()
        .map(|input| {
            // An unchanged number keeps its id and creation time.
            let same = old
                .iter()
                .find(|p| p.phone_number == input.phone_number && p.kind == input.kind);
            PhoneNumber {
                id: same.map(|p| p.id).unwrap_or_else(Uuid::now_v7),
                phone_number: input.phone_number,
                kind: input.kind,
                create_source: same.map(|p| p.create_source).unwrap_or(source),
                update_source: source,
                created_at: same.map(|p| p.created_at).unwrap_or(now),
                updated_at: same.map(|p| p.updated_at).unwrap_or(now),
            }
        })
        .collect()
}

pub(super) fn build_addresses(
    inputs: Vec<AddressInput>,
    now: Timestamp,
    old: &[StreetAddress],
) -> Vec<StreetAddress> {
    inputs
        .into_iter()
        .map(|input| {
            let same = old.iter().find(|a| {
                a.kind == input.kind
                    && a.street == input.street
                    && a.city == input.city
                    && a.state == input.state
                    && a.postal_code == input.postal_code
                    && a.country == input.country
            });
            StreetAddress {
                id: same.map(|a| a.id).unwrap_or_else(Uuid::now_v7),
                kind: input.kind,
                street: input.street,
                city: input.city,
                state: input.state,
                postal_code: input.postal_code,
                country: input.country,
                created_at: same.map(|a| a.created_at).unwrap_or(now),
                updated_at: same.map(|a| a.updated_at).unwrap_or(now),
            }
        })
        .collect()
}

pub(super) fn build_notes(inputs: Vec<NoteInput>, now: Timestamp) -> Vec<Note> {
    let mut notes: Vec<Note> = inputs
        .into_iter()
        .map(|input| Note {
            id: input.note_id.unwrap_or_else(Uuid::now_v7),
            created_at: input.created_at.unwrap_or(now),
            content: input.content,
        })
        .collect();
    // "listed by most recent note first"
    notes.sort_by_key(|note| std::cmp::Reverse(note.created_at));
    notes
}
