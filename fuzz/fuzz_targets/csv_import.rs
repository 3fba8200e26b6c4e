//! The CSV import parser (`roster_activities::import::csv_items`, behind
//! POST /activities/contacts_file_import and `roster import`). Any bytes answer an upload
//! error or one item per record, never a panic; rows hold only checked values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_activities::import::csv_items;
use roster_domain::activity::ImportItem;
use roster_domain::time::parse_loose_date;
use roster_domain::EmailAddress;

/// Small, so the fuzzer also reaches the "too many contacts" refusal.
const MAX_CONTACTS: usize = 20;

fuzz_target!(|data: &[u8]| {
    let fields = roster_fuzz::custom_fields();
    let Ok(items) = csv_items(data, &fields, MAX_CONTACTS) else {
        return;
    };
    assert!(items.len() <= MAX_CONTACTS, "{} items", items.len());
    for item in &items {
        match item {
            ImportItem::Rejected(reason) => assert!(!reason.is_empty()),
            ImportItem::Row(row) => {
                let email = EmailAddress::parse(&row.email)
                    .unwrap_or_else(|_| panic!("{:?} was imported", row.email));
                assert_eq!(email.as_str(), row.email, "the email is normalised");
                if let Some((month, day)) = row.birthday {
                    assert!((1..=12).contains(&month) && (1..=31).contains(&day));
                }
                if let Some(anniversary) = &row.anniversary {
                    assert_eq!(
                        parse_loose_date(anniversary).as_ref(),
                        Some(anniversary),
                        "the anniversary is a checked YYYY-MM-DD"
                    );
                }
                assert!(row.custom_values.len() <= fields.len());
            }
        }
    }
});
