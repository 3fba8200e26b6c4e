//! The semantics of the contact operations: what PUT replaces and keeps, the consent rules of
//! each path (POST, PUT, sign-up form, DELETE) row by row, concurrent sign-ups, the xrefs and
//! the SMS engagement history.

use roster_tests::{on_both_engines, TestApp};
use serde_json::{json, Value};

use crate::contact_support::{contact_ids, contact_with, contacts_count, id, PERMISSIONS};
use crate::support::{conflict, unknown_resource};

on_both_engines!(
    put_overwrites_top_level_and_keeps_omitted_sub_resources,
    put_requires_a_valid_update_source,
    post_creates_with_the_permission_sent_and_refuses_known_addresses,
    put_revives_deleted_contacts_only_from_the_account,
    put_resubscribes_only_when_the_contact_acts,
    sign_up_form_creates_explicit_contacts,
    sign_up_form_updates_append_and_opt_in,
    sign_up_form_revives_deleted_contacts,
    delete_marks_deleted_and_hides_the_contact,
    concurrent_sign_ups_create_one_contact,
    xrefs_map_nothing,
    sms_engagement_history_lists_consents,
);

const ALL_INCLUDES: &str =
    "include=custom_fields,list_memberships,phone_numbers,street_addresses,taggings,notes";

fn contact_path(id: &str) -> String {
    format!("/v3/contacts/{id}")
}

async fn full(app: &TestApp, id: &str) -> Value {
    app.get_json(&format!("{}?{ALL_INCLUDES}", contact_path(id)))
        .await
}

fn not_found(id: &str) -> Value {
    unknown_resource("contact", id)
}

async fn put_overwrites_top_level_and_keeps_omitted_sub_resources(app: TestApp) {
    let l1 = app.create_list("L1").await;
    let l2 = app.create_list("L2").await;
    let t1 = app.create_tag("T1").await;
    let field = app.create_string_field("Shoe").await;
    let field_id = id(&field, "custom_field_id");
    let created = app.create_contact(json!({
            "email_address": {"address": "put@example.com", "permission_to_send": "explicit"},
            "first_name": "Ann", "last_name": "Lee", "job_title": "CTO", "company_name": "Acme",
            "birthday_month": 5, "birthday_day": 4, "anniversary": "2001/2/3",
            "custom_fields": [{"custom_field_id": field_id, "value": "44"}],
            "phone_numbers": [{"phone_number": "555-0100", "kind": "home"}],
            "street_addresses": [{"kind": "home", "city": "Oslo"}],
            "list_memberships": [l1], "taggings": [t1],
            "notes": [{"content": "first note"}],
            "sms_channel": {"full_sms_address": "+15555550100",
                            "sms_channel_consents": [{"sms_consent_permission": "explicit", "consent_type": "promotional_sms"}]}
        }),
    )
    .await;
    let contact = id(&created, "contact_id");
    assert_eq!(created["anniversary"], "2001-02-03");
    let before = full(&app, &contact).await;

    // Only top-level properties sent: the others become null, every sub-resource stays.
    let put = app
        .put_json(
            &contact_path(&contact),
            json!({"first_name": "Anne", "update_source": "Contact"}),
        )
        .await;
    assert_eq!(put["first_name"], "Anne");
    assert_eq!(put["update_source"], "Contact");
    assert_eq!(put["create_source"], "Account");
    for gone in [
        "last_name",
        "job_title",
        "company_name",
        "birthday_month",
        "birthday_day",
        "anniversary",
    ] {
        assert!(put.get(gone).is_none(), "{gone} should be null: {put}");
    }
    let after = full(&app, &contact).await;
    for kept in [
        "email_address",
        "custom_fields",
        "phone_numbers",
        "street_addresses",
        "list_memberships",
        "taggings",
        "notes",
        "sms_channel",
    ] {
        assert_eq!(after[kept], before[kept], "{kept} should be kept");
    }
    assert_eq!(after["created_at"], before["created_at"]);

    // Included arrays replace the stored ones, an empty array empties it.
    let put = app.put_json(
        &contact_path(&contact),
        json!({
            "first_name": "Anne", "update_source": "Account",
            "list_memberships": [l2], "taggings": [],
            "phone_numbers": [{"phone_number": "555-0199", "kind": "work"}, {"phone_number": "555-0100", "kind": "home"}],
            "custom_fields": [],
            "notes": [{"content": "second"}]
        }),
    )
    .await;
    assert_eq!(put["list_memberships"], json!([l2]));
    assert_eq!(put["taggings"], json!([]));
    assert_eq!(put["custom_fields"], json!([]));
    let after = full(&app, &contact).await;
    assert_eq!(after["list_memberships"], json!([l2]));
    assert_eq!(after["taggings"], json!([]));
    assert_eq!(after["custom_fields"], json!([]));
    assert_eq!(after["notes"].as_array().unwrap().len(), 1);
    assert_eq!(after["notes"][0]["content"], "second");
    let phones: Vec<&str> = after["phone_numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phone_number"].as_str().unwrap())
        .collect();
    assert_eq!(phones, ["555-0199", "555-0100"]);
    // The unchanged number kept its id.
    assert_eq!(
        after["phone_numbers"][1]["phone_number_id"],
        before["phone_numbers"][0]["phone_number_id"]
    );
    assert_eq!(after["street_addresses"], before["street_addresses"]);
    // The counts followed the replaced memberships.
    assert_eq!(app.membership_count(&l1, "all").await, 0);
    assert_eq!(app.tag_contacts_count(&t1).await, 0);

    // A new address replaces the old one; the old one is free again.
    let put = app
        .put_json(
            &contact_path(&contact),
            json!({"email_address": {"address": "New@Example.com"}, "update_source": "Account"}),
        )
        .await;
    assert_eq!(put["email_address"]["address"], "new@example.com");
    assert_eq!(put["email_address"]["permission_to_send"], "explicit");
    contact_with(&app, "put@example.com", "implicit").await;
    // Taking another contact's address is a conflict.
    app.put(
        &contact_path(&contact),
        json!({"email_address": {"address": "put@example.com"}, "update_source": "Account"}),
    )
    .answers(
        409,
        &conflict("Another contact already has this email address."),
        "address taken",
    )
    .await;
    let missing = uuid::Uuid::new_v4().to_string();
    app.put(
        &contact_path(&missing),
        json!({"first_name": "x", "update_source": "Account"}),
    )
    .answers(404, &not_found(&missing), "unknown contact")
    .await;
}

async fn put_requires_a_valid_update_source(app: TestApp) {
    let contact = contact_with(&app, "src@example.com", "explicit").await;
    app.put(&contact_path(&contact), json!({"first_name": "x"}))
        .refused(
            &["update_source is required (Contact or Account)."],
            "missing update_source",
        )
        .await;
    app.put(
        &contact_path(&contact),
        json!({"first_name": "x", "update_source": "Robot"}),
    )
    .refused(
        &["update_source must be one of: Contact, Account."],
        "unknown update_source",
    )
    .await;
    let unchanged = app.get_json(&contact_path(&contact)).await;
    assert!(unchanged.get("first_name").is_none());
}

async fn post_creates_with_the_permission_sent_and_refuses_known_addresses(app: TestApp) {
    for permission in PERMISSIONS {
        let created = app.create_contact(
            json!({"email_address": {"address": format!("{permission}@example.com"), "permission_to_send": permission},
                   "create_source": "Contact"}),
        )
        .await;
        assert_eq!(created["email_address"]["permission_to_send"], permission);
        assert_eq!(created["create_source"], "Contact");
        assert_eq!(created["update_source"], "Contact");
        match permission {
            "explicit" | "implicit" => {
                assert_eq!(created["email_address"]["opt_in_source"], "Contact");
                assert!(created["email_address"]["opt_in_date"].is_string());
            }
            "unsubscribed" => {
                assert_eq!(created["email_address"]["opt_out_source"], "Contact");
                assert!(created["email_address"]["opt_out_date"].is_string());
                assert!(created["email_address"].get("opt_in_date").is_none());
            }
            _ => assert!(created["email_address"].get("opt_in_date").is_none()),
        }
    }
    // Without a permission, the address is implicit from its creator.
    let created = app
        .create_contact(json!({"email_address": {"address": "plain@example.com"}}))
        .await;
    assert_eq!(created["email_address"]["permission_to_send"], "implicit");
    assert_eq!(created["email_address"]["opt_in_source"], "Account");
    app.post(
        "/v3/contacts",
        json!({"email_address": {"address": "x@example.com"}}),
    )
    .refused(
        &["create_source is required (Contact or Account)."],
        "missing create_source",
    )
    .await;
    let conflict = conflict("A contact with this email address already exists.");
    app.post(
        "/v3/contacts",
        json!({"email_address": {"address": " PLAIN@example.com "}, "create_source": "Account"}),
    )
    .answers(409, &conflict, "existing address")
    .await;
    let plain = id(&created, "contact_id");
    app.delete(&contact_path(&plain)).send().await.expect(204);
    app.post(
        "/v3/contacts",
        json!({"email_address": {"address": "plain@example.com"}, "create_source": "Account"}),
    )
    .answers(409, &conflict, "deleted contact's address")
    .await;
    assert_eq!(contacts_count(&app, "status=all").await, 7);
}

async fn put_revives_deleted_contacts_only_from_the_account(app: TestApp) {
    let list = app.create_list("L").await;
    let tag = app.create_tag("T").await;
    let contact = id(
        &app.create_contact(
            json!({"email_address": {"address": "lazarus@example.com", "permission_to_send": "explicit"},
                   "list_memberships": [list], "taggings": [tag]}),
        )
        .await,
        "contact_id",
    );
    app.delete(&contact_path(&contact)).send().await.expect(204);
    assert_eq!(
        member_counts(&app, &list, &tag).await,
        (0, 0),
        "deleted contacts are not counted"
    );
    app.put(
        &contact_path(&contact),
        json!({"first_name": "L", "update_source": "Contact"}),
    )
    .refused(
        &["update_source must be Account to restore a deleted contact."],
        "revive from Contact",
    )
    .await;
    assert!(contact_ids(&app, "").await.is_empty());
    let revived = app
        .put_json(
            &contact_path(&contact),
            json!({"first_name": "L", "update_source": "Account"}),
        )
        .await;
    assert!(revived.get("deleted_at").is_none());
    assert_eq!(revived["email_address"]["permission_to_send"], "explicit");
    assert_eq!(revived["list_memberships"], json!([list]));
    assert_eq!(contact_ids(&app, "").await, vec![contact.clone()]);
    assert!(contact_ids(&app, "status=deleted").await.is_empty());
    assert_eq!(
        member_counts(&app, &list, &tag).await,
        (1, 1),
        "revived memberships count again"
    );
}

/// (membership_count all of the list, contacts_count of the tag).
async fn member_counts(app: &TestApp, list: &str, tag: &str) -> (i64, i64) {
    let all = app
        .get_json(&format!(
            "/v3/contact_lists/{list}?include_membership_count=all"
        ))
        .await["membership_count"]
        .as_i64()
        .expect("a membership_count");
    let tagged = app
        .get_json(&format!("/v3/contact_tags/{tag}?include_count=true"))
        .await["contacts_count"]
        .as_i64()
        .expect("a contacts_count");
    (all, tagged)
}

async fn put_resubscribes_only_when_the_contact_acts(app: TestApp) {
    let contact = id(
        &app.create_contact(
            json!({"email_address": {"address": "out@example.com", "permission_to_send": "unsubscribed", "opt_out_reason": "too many"}}),
        )
        .await,
        "contact_id",
    );
    let before = app.get_json(&contact_path(&contact)).await;
    let from_account = app.put_json(
        &contact_path(&contact),
        json!({"email_address": {"address": "out@example.com", "permission_to_send": "explicit"},
               "update_source": "Account"}),
    )
    .await;
    assert_eq!(
        from_account["email_address"]["permission_to_send"],
        "unsubscribed"
    );
    assert_eq!(
        from_account["email_address"]["opt_out_date"],
        before["email_address"]["opt_out_date"]
    );
    assert_eq!(from_account["email_address"]["opt_out_reason"], "too many");
    assert_eq!(contacts_count(&app, "status=unsubscribed").await, 1);
    let from_contact = app.put_json(
        &contact_path(&contact),
        json!({"email_address": {"address": "out@example.com", "permission_to_send": "explicit"},
               "update_source": "Contact"}),
    )
    .await;
    let email = &from_contact["email_address"];
    assert_eq!(email["permission_to_send"], "explicit");
    assert_eq!(email["opt_in_source"], "Contact");
    assert!(email.get("opt_out_date").is_none());
    assert!(email.get("opt_out_source").is_none());
    assert_eq!(contacts_count(&app, "status=active").await, 1);
    // The account may always unsubscribe.
    let out = app.put_json(
        &contact_path(&contact),
        json!({"email_address": {"address": "out@example.com", "permission_to_send": "unsubscribed"},
               "update_source": "Account"}),
    )
    .await;
    assert_eq!(out["email_address"]["permission_to_send"], "unsubscribed");
    assert_eq!(out["email_address"]["opt_out_source"], "Account");
    // Other permissions of a subscribed contact change from the account as sent.
    let other = contact_with(&app, "held@example.com", "explicit").await;
    let held = app.put_json(
        &contact_path(&other),
        json!({"email_address": {"address": "held@example.com", "permission_to_send": "temp_hold"},
               "update_source": "Account"}),
    )
    .await;
    assert_eq!(held["email_address"]["permission_to_send"], "temp_hold");
}

async fn sign_up_form_creates_explicit_contacts(app: TestApp) {
    let list = app.create_list("Form").await;
    let response = app
        .post(
            "/v3/contacts/sign_up_form",
            json!({"email_address": "Fresh@Example.com", "first_name": "Fay", "list_memberships": [list],
                   "phone_number": "555-0100", "street_address": {"kind": "home", "city": "Rome"},
                   "birthday_month": 1, "birthday_day": 31, "anniversary": "2020-01-02"}),
        )
        .send()
        .await
        .expect(201);
    let body = response.json();
    assert_eq!(body["action"], "created");
    let contact = full(&app, &id(&body, "contact_id")).await;
    let email = &contact["email_address"];
    assert_eq!(email["address"], "fresh@example.com");
    assert_eq!(email["permission_to_send"], "explicit");
    assert_eq!(email["opt_in_source"], "Contact");
    assert_eq!(contact["create_source"], "Contact");
    assert_eq!(contact["first_name"], "Fay");
    assert_eq!(contact["list_memberships"], json!([list]));
    assert_eq!(contact["phone_numbers"][0]["phone_number"], "555-0100");
    assert_eq!(contact["street_addresses"][0]["city"], "Rome");
    assert_eq!(contact["birthday_day"], 31);
    assert_eq!(contact["anniversary"], "2020-01-02");
    app.post(
        "/v3/contacts/sign_up_form",
        json!({"email_address": "x@example.com"}),
    )
    .refused(
        &["list_memberships is required (1 to 50 list ids)."],
        "no lists",
    )
    .await;
    app.post(
        "/v3/contacts/sign_up_form",
        json!({"email_address": "x@example.com", "list_memberships": []}),
    )
    .refused(
        &["list_memberships must name at least one list."],
        "empty lists",
    )
    .await;
}

async fn sign_up_form_updates_append_and_opt_in(app: TestApp) {
    let l1 = app.create_list("L1").await;
    let l2 = app.create_list("L2").await;
    let f1 = id(&app.create_string_field("F1").await, "custom_field_id");
    let f2 = id(&app.create_string_field("F2").await, "custom_field_id");
    let contact = id(
        &app.create_contact(
            json!({"email_address": {"address": "known@example.com", "permission_to_send": "unsubscribed"},
                   "first_name": "Kim", "last_name": "Known", "job_title": "Boss",
                   "list_memberships": [l1],
                   "custom_fields": [{"custom_field_id": f1, "value": "one"}]}),
        )
        .await,
        "contact_id",
    );
    app.post(
        "/v3/contacts/sign_up_form",
        json!({"email_address": "KNOWN@example.com", "first_name": "Kimberly",
                   "list_memberships": [l2, l1],
                   "custom_fields": [{"custom_field_id": f2, "value": "two"}]}),
    )
    .answers(
        200,
        &json!({"contact_id": contact, "action": "updated"}),
        "update",
    )
    .await;
    let after = full(&app, &contact).await;
    assert_eq!(after["email_address"]["permission_to_send"], "explicit");
    assert_eq!(after["email_address"]["opt_in_source"], "Contact");
    assert_eq!(after["first_name"], "Kimberly");
    // Properties not sent are left alone (a partial update, unlike PUT).
    assert_eq!(after["last_name"], "Known");
    assert_eq!(after["job_title"], "Boss");
    assert_eq!(after["list_memberships"], json!([l1, l2]));
    assert_eq!(
        after["custom_fields"],
        json!([{"custom_field_id": f1, "value": "one"}, {"custom_field_id": f2, "value": "two"}])
    );
    assert_eq!(contacts_count(&app, "status=unsubscribed").await, 0);
    assert_eq!(contacts_count(&app, &format!("lists={l2}")).await, 1);
}

async fn sign_up_form_revives_deleted_contacts(app: TestApp) {
    let list = app.create_list("L").await;
    let contact = contact_with(&app, "back@example.com", "implicit").await;
    app.delete(&contact_path(&contact)).send().await.expect(204);
    app.post(
        "/v3/contacts/sign_up_form",
        json!({"email_address": "back@example.com", "list_memberships": [list]}),
    )
    .answers(
        200,
        &json!({"contact_id": contact, "action": "updated"}),
        "revive",
    )
    .await;
    let revived = app.get_json(&contact_path(&contact)).await;
    assert!(revived.get("deleted_at").is_none(), "{revived}");
    assert_eq!(revived["email_address"]["permission_to_send"], "explicit");
    assert_eq!(contact_ids(&app, "").await, vec![contact]);
    let counts = app.get_json("/v3/contacts/counts").await;
    assert_eq!(
        counts,
        json!({"total": 1, "explicit": 1, "implicit": 0, "pending": 0, "unsubscribed": 0})
    );
}

async fn delete_marks_deleted_and_hides_the_contact(app: TestApp) {
    let list = app.create_list("L").await;
    let contact = id(
        &app.create_contact(
            json!({"email_address": {"address": "bye@example.com", "permission_to_send": "explicit"},
                   "list_memberships": [list]}),
        )
        .await,
        "contact_id",
    );
    let response = app.delete(&contact_path(&contact)).send().await.expect(204);
    assert!(response.body.is_empty());
    let deleted = app
        .get_json(&format!(
            "{}?include=list_memberships",
            contact_path(&contact)
        ))
        .await;
    let today = chrono_today();
    assert_eq!(deleted["deleted_at"], today);
    assert_eq!(deleted["list_memberships"], json!([list]));
    assert!(contact_ids(&app, "").await.is_empty());
    assert!(contact_ids(&app, &format!("lists={list}")).await.is_empty());
    assert_eq!(
        contact_ids(&app, "status=deleted").await,
        vec![contact.clone()]
    );
    assert_eq!(contact_ids(&app, "status=all").await, vec![contact.clone()]);
    assert_eq!(
        contact_ids(&app, &format!("lists={list}&status=all")).await,
        vec![contact.clone()]
    );
    let counts = app.get_json("/v3/contacts/counts").await;
    assert_eq!(
        counts,
        json!({"total": 0, "explicit": 0, "implicit": 0, "pending": 0, "unsubscribed": 0})
    );
    assert_eq!(app.membership_count(&list, "all").await, 0);
    // Deleting again changes nothing and still answers 204.
    app.delete(&contact_path(&contact)).send().await.expect(204);
    let again = app.get_json(&contact_path(&contact)).await;
    assert_eq!(again["deleted_at"], today);
    assert_eq!(again["updated_at"], deleted["updated_at"]);
    assert_eq!(contacts_count(&app, "status=deleted").await, 1);
    let missing = uuid::Uuid::new_v4().to_string();
    app.delete(&contact_path(&missing))
        .answers(404, &not_found(&missing), "unknown contact")
        .await;
    app.get(&contact_path(&missing))
        .answers(404, &not_found(&missing), "unknown contact")
        .await;
}

fn chrono_today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

async fn concurrent_sign_ups_create_one_contact(app: TestApp) {
    let list = app.create_list("Rush").await;
    for round in 0..3 {
        let address = format!("rush{round}@example.com");
        let requests = (0..8).map(|n| {
            app.post(
                "/v3/contacts/sign_up_form",
                json!({"email_address": address, "first_name": format!("n{n}"), "list_memberships": [list]}),
            )
            .send()
        });
        let responses = futures::future::join_all(requests).await;
        let mut created = 0;
        let mut ids = Vec::new();
        for response in &responses {
            match response.status {
                201 => created += 1,
                200 | 409 => {}
                other => panic!(
                    "a concurrent sign-up answered {other}: {}",
                    String::from_utf8_lossy(&response.body)
                ),
            }
            if response.status != 409 {
                ids.push(id(&response.json(), "contact_id"));
            }
        }
        assert_eq!(created, 1, "exactly one sign-up creates the contact");
        ids.dedup();
        assert_eq!(ids.len(), 1, "every sign-up names the same contact");
        assert_eq!(contact_ids(&app, &format!("email={address}")).await, ids);
    }
    assert_eq!(contacts_count(&app, "status=all").await, 3);
    assert_eq!(contacts_count(&app, &format!("lists={list}")).await, 3);
    let counts = app.get_json("/v3/contacts/counts").await;
    assert_eq!(counts["total"], 3);
    assert_eq!(counts["explicit"], 3);
    assert_eq!(app.membership_count(&list, "all").await, 3);
}

async fn xrefs_map_nothing(app: TestApp) {
    for path in [
        "/v3/contacts/contact_id_xrefs",
        "/v3/contact_lists/list_id_xrefs",
    ] {
        app.get(&format!("{path}?sequence_ids=1,2,3"))
            .answers(200, &json!({"xrefs": []}), path)
            .await;
        let many: Vec<String> = (1..=500).map(|n| n.to_string()).collect();
        app.get(&format!("{path}?sequence_ids={}", many.join(",")))
            .answers(200, &json!({"xrefs": []}), path)
            .await;
        app.get(path)
            .refused(&["sequence_ids is required."], path)
            .await;
        app.get(&format!("{path}?sequence_ids=1,abc"))
            .refused(
                &["sequence_ids holds abc, which is not a V2 sequence id."],
                path,
            )
            .await;
        let too_many: Vec<String> = (1..=501).map(|n| n.to_string()).collect();
        app.get(&format!("{path}?sequence_ids={}", too_many.join(",")))
            .refused(&["sequence_ids may name at most 500 ids."], path)
            .await;
    }
}

async fn sms_engagement_history_lists_consents(app: TestApp) {
    let created = app.create_contact(json!({"email_address": {"address": "sms@example.com"},
               "sms_channel": {"full_sms_address": "+15555550100",
                               "sms_channel_consents": [{"sms_consent_permission": "explicit", "consent_type": "promotional_sms"}]}}),
    )
    .await;
    let contact = id(&created, "contact_id");
    let sms = &created["sms_channel"];
    assert_eq!(sms["sms_address"], "5555550100");
    assert_eq!(sms["dial_code"], "1");
    assert_eq!(sms["country_code"], "US");
    let history = app
        .get_json(&format!("/v3/contacts/sms_engagement_history/{contact}"))
        .await;
    let entries = history.as_array().expect("an array");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["contact_id"], contact);
    assert_eq!(entries[0]["sms_channel_id"], sms["sms_channel_id"]);
    let details = &entries[0]["history_details"];
    assert_eq!(details["state"], "explicit");
    assert_eq!(details["consent_type"], "promotional_sms");
    assert_eq!(details["consent_action_type"], "opt_in");
    assert_eq!(details["source_sms_number"], "+15555550100");
    let email_only = contact_with(&app, "mail@example.com", "explicit").await;
    let history = app
        .get_json(&format!("/v3/contacts/sms_engagement_history/{email_only}"))
        .await;
    assert_eq!(history, json!([]));
    let missing = uuid::Uuid::new_v4().to_string();
    app.get(&format!("/v3/contacts/sms_engagement_history/{missing}"))
        .answers(404, &not_found(&missing), "unknown contact")
        .await;
}
