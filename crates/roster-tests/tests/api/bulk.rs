//! The bulk-load path of the storage contract (`Store::insert_contacts_bulk`): many contacts in
//! one call, read back over HTTP, with the maintained counts equal to the truth.

use std::collections::BTreeMap;

use roster_domain::contact::{
    ConfirmStatus, Contact, CustomValue, EmailChannel, Permission, Source,
};
use roster_domain::{ContactId, CustomFieldId, EmailAddress, ListId, StoreError, TagId, Timestamp};
use roster_tests::{on_both_engines, TestApp};
use serde_json::{json, Value};

use crate::contact_support::{lists_with_counts, membership_count_in};

on_both_engines!(bulk_insert_moves_the_maintained_counts_to_the_truth);

const CONTACTS: usize = 2_000;
const PERMISSIONS: [Permission; 4] = [
    Permission::Explicit,
    Permission::Implicit,
    Permission::Unsubscribed,
    Permission::PendingConfirmation,
];

async fn created_id(app: &TestApp, path: &str, body: Value, key: &str) -> String {
    let created = app.create(path, body).await;
    created[key].as_str().unwrap().to_string()
}

fn contact(n: usize, lists: Vec<ListId>, tags: Vec<TagId>, field: CustomFieldId) -> Contact {
    let at = Timestamp::from_millis(1_700_000_000_000 + n as i64 * 1_000);
    Contact {
        id: ContactId::generate(),
        email: Some(EmailChannel {
            address: EmailAddress::parse(&format!("bulk{n}@example.com")).unwrap(),
            permission: PERMISSIONS[n % PERMISSIONS.len()],
            opt_in_source: Some(Source::Account),
            opt_in_date: Some(at),
            opt_out_source: None,
            opt_out_date: None,
            opt_out_reason: None,
            confirm_status: ConfirmStatus::Off,
            created_at: at,
            updated_at: at,
        }),
        first_name: Some(format!("First{n}")),
        last_name: Some(format!("Last{n}")),
        job_title: Some("Engineer".into()),
        company_name: Some("Acme".into()),
        birthday: None,
        anniversary: None,
        create_source: Source::Account,
        update_source: Source::Account,
        created_at: at,
        updated_at: at,
        deleted_at: None,
        custom_fields: vec![CustomValue {
            custom_field_id: field,
            value: format!("value {}", n % 10),
            choice_ids: Vec::new(),
        }],
        phone_numbers: Vec::new(),
        street_addresses: Vec::new(),
        notes: Vec::new(),
        list_ids: lists,
        tag_ids: tags,
        sms_channel: None,
    }
}

async fn bulk_insert_moves_the_maintained_counts_to_the_truth(app: TestApp) {
    let account = app.owner.account;
    let mut lists = Vec::new();
    for name in ["Half", "Fifth"] {
        let id = created_id(&app, "/v3/contact_lists", json!({"name": name}), "list_id").await;
        lists.push(id.parse::<ListId>().unwrap());
    }
    let mut tags = Vec::new();
    for name in ["T0", "T1", "T2"] {
        let id = created_id(&app, "/v3/contact_tags", json!({"name": name}), "tag_id").await;
        tags.push(id.parse::<TagId>().unwrap());
    }
    let field = created_id(
        &app,
        "/v3/contact_custom_fields",
        json!({"label": "Tier", "type": "string"}),
        "custom_field_id",
    )
    .await
    .parse::<CustomFieldId>()
    .unwrap();

    let contacts: Vec<Contact> = (0..CONTACTS)
        .map(|n| {
            let mut member_of = Vec::new();
            if n % 2 == 0 {
                member_of.push(lists[0]);
            }
            if n % 5 == 0 {
                member_of.push(lists[1]);
            }
            contact(n, member_of, vec![tags[n % tags.len()]], field)
        })
        .collect();
    // Two calls, so the second moves counts that the first already moved.
    let (first, second) = contacts.split_at(1_500);
    app.store()
        .insert_contacts_bulk(account, first)
        .await
        .unwrap();
    app.store()
        .insert_contacts_bulk(account, second)
        .await
        .unwrap();

    // A batch holding one taken address stores nothing and moves no count.
    let mut retry = contact(CONTACTS, vec![lists[0]], vec![tags[0]], field);
    retry.email.as_mut().unwrap().address = EmailAddress::parse("bulk7@example.com").unwrap();
    let fresh = contact(CONTACTS + 1, vec![lists[0]], vec![tags[0]], field);
    let outcome = app
        .store()
        .insert_contacts_bulk(account, &[fresh.clone(), retry])
        .await;
    assert!(
        matches!(outcome, Err(StoreError::Conflict(_))),
        "{outcome:?}"
    );
    app.get(&format!("/v3/contacts/{}", fresh.id))
        .send()
        .await
        .expect(404);

    let mut buckets: BTreeMap<&str, i64> = BTreeMap::new();
    for c in &contacts {
        *buckets
            .entry(c.email.as_ref().unwrap().permission.as_str())
            .or_default() += 1;
    }
    let counts = app.get_json("/v3/contacts/counts").await;
    assert_eq!(
        counts,
        json!({
            "total": CONTACTS,
            "explicit": buckets["explicit"],
            "implicit": buckets["implicit"],
            "pending": buckets["pending_confirmation"],
            "unsubscribed": buckets["unsubscribed"],
        })
    );

    let (all, active) = lists_with_counts(&app).await;
    for (list, every) in [(lists[0], 2), (lists[1], 5)] {
        let members: Vec<&Contact> = contacts
            .iter()
            .filter(|c| c.list_ids.contains(&list))
            .collect();
        let mailable = members.iter().filter(|c| c.bucket().is_active()).count();
        assert_eq!(members.len(), CONTACTS / every);
        assert_eq!(
            membership_count_in(&all, &list.to_string()),
            members.len() as i64
        );
        assert_eq!(
            membership_count_in(&active, &list.to_string()),
            mailable as i64
        );
        let in_list = app
            .get_json(&format!(
                "/v3/contacts?lists={list}&include_count=true&limit=1"
            ))
            .await;
        assert_eq!(in_list["contacts_count"], members.len());
    }
    for (n, tag) in tags.iter().enumerate() {
        let truth = contacts.iter().filter(|c| c.tag_ids.contains(tag)).count();
        assert_eq!(
            app.tag_contacts_count(&tag.to_string()).await,
            truth as i64,
            "tag T{n}"
        );
    }

    // A bulk-loaded contact reads back with every link.
    let sample = &contacts[10];
    let read = app
        .get_json(&format!(
            "/v3/contacts/{}?include=custom_fields,list_memberships,taggings",
            sample.id
        ))
        .await;
    assert_eq!(read["email_address"]["address"], "bulk10@example.com");
    assert_eq!(
        read["list_memberships"],
        json!([lists[0].to_string(), lists[1].to_string()])
    );
    assert_eq!(read["taggings"], json!([tags[1].to_string()]));
    assert_eq!(
        read["custom_fields"],
        json!([{"custom_field_id": field.to_string(), "value": "value 0"}])
    );
}
