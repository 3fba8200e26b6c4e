//! GET /contacts: every query parameter, their combination, and pagination through
//! `_links.next.href`.

use std::time::Duration;

use roster_tests::{on_both_engines, TestApp};
use serde_json::{json, Value};

use crate::contact_support::{
    contact_ids, contact_with, contacts_count, id, ids_in, sorted, walk, PERMISSIONS,
};

on_both_engines!(
    status_filter_takes_comma_lists_and_hides_deleted_by_default,
    email_filter_is_exact_and_case_insensitive,
    lists_and_tags_filters_match_any_of_their_ids,
    created_updated_and_optout_ranges,
    include_adds_exactly_the_named_sub_resources,
    sms_status_filter,
    include_count_and_limit_bounds,
    filters_and_together,
    next_links_walk_every_page_and_carry_the_filters,
    keyset_pages_are_stable_while_rows_change,
);

async fn status_filter_takes_comma_lists_and_hides_deleted_by_default(app: TestApp) {
    let mut by_permission = Vec::new();
    for permission in PERMISSIONS {
        let id = contact_with(&app, &format!("{permission}@example.com"), permission).await;
        by_permission.push((permission, id));
    }
    let gone = contact_with(&app, "gone@example.com", "explicit").await;
    app.delete(&format!("/v3/contacts/{gone}"))
        .send()
        .await
        .expect(204);
    let of = |names: &[&str]| {
        sorted(
            by_permission
                .iter()
                .filter(|(p, _)| names.contains(p))
                .map(|(_, id)| id.clone())
                .collect(),
        )
    };
    let not_deleted = of(&PERMISSIONS);
    assert_eq!(contact_ids(&app, "").await, not_deleted);
    let mut everything = not_deleted.clone();
    everything.push(gone.clone());
    assert_eq!(contact_ids(&app, "status=all").await, sorted(everything));
    assert_eq!(
        contact_ids(&app, "status=deleted").await,
        vec![gone.clone()]
    );
    assert_eq!(
        contact_ids(&app, "status=active").await,
        of(&["explicit", "implicit"])
    );
    for permission in [
        "not_set",
        "pending_confirmation",
        "temp_hold",
        "unsubscribed",
    ] {
        assert_eq!(
            contact_ids(&app, &format!("status={permission}")).await,
            of(&[permission]),
            "status={permission}"
        );
    }
    let mut unsubscribed_or_deleted = of(&["unsubscribed"]);
    unsubscribed_or_deleted.push(gone.clone());
    assert_eq!(
        contact_ids(&app, "status=unsubscribed,deleted").await,
        sorted(unsubscribed_or_deleted.clone())
    );
    // A repeated parameter adds to the comma list.
    assert_eq!(
        contact_ids(&app, "status=unsubscribed&status=deleted").await,
        sorted(unsubscribed_or_deleted)
    );
    assert_eq!(
        contact_ids(&app, "status=temp_hold,pending_confirmation").await,
        of(&["temp_hold", "pending_confirmation"])
    );
    assert_eq!(contacts_count(&app, "status=all").await, 7);
    assert_eq!(contacts_count(&app, "status=deleted").await, 1);
    assert_eq!(contacts_count(&app, "status=active").await, 2);
    assert_eq!(contacts_count(&app, "").await, 6);
}

async fn email_filter_is_exact_and_case_insensitive(app: TestApp) {
    let ann = contact_with(&app, "ann@example.com", "explicit").await;
    contact_with(&app, "anne@example.com", "explicit").await;
    let gone = contact_with(&app, "gone@example.com", "explicit").await;
    app.delete(&format!("/v3/contacts/{gone}"))
        .send()
        .await
        .expect(204);
    for (query, expected) in [
        ("email=ann@example.com", vec![ann.clone()]),
        ("email=ANN%40Example.COM", vec![ann]),
        ("email=nobody@example.com", vec![]),
        // Deleted contacts are found by address only with a status that admits them.
        ("email=gone@example.com", vec![]),
        ("email=gone@example.com&status=all", vec![gone]),
    ] {
        assert_eq!(contact_ids(&app, query).await, expected, "{query}");
    }
    assert_eq!(contacts_count(&app, "email=ann@example.com").await, 1);
}

async fn lists_and_tags_filters_match_any_of_their_ids(app: TestApp) {
    let l1 = app.create_list("L1").await;
    let l2 = app.create_list("L2").await;
    let l3 = app.create_list("L3").await;
    let t1 = app.create_tag("T1").await;
    let t2 = app.create_tag("T2").await;
    let in_l1 = id(
        &app.create_contact(json!({"email_address": {"address": "a@example.com"},
                                   "list_memberships": [l1], "taggings": [t1]}))
            .await,
        "contact_id",
    );
    let in_l2 = id(
        &app.create_contact(json!({"email_address": {"address": "b@example.com"},
                                   "list_memberships": [l2], "taggings": [t2]}))
            .await,
        "contact_id",
    );
    let in_both = id(
        &app.create_contact(json!({"email_address": {"address": "c@example.com"},
                                   "list_memberships": [l1, l2], "taggings": [t1, t2]}))
            .await,
        "contact_id",
    );
    contact_with(&app, "none@example.com", "explicit").await;
    assert_eq!(
        contact_ids(&app, &format!("lists={l1}")).await,
        sorted(vec![in_l1.clone(), in_both.clone()])
    );
    assert_eq!(
        contact_ids(&app, &format!("lists={l1},{l2}")).await,
        sorted(vec![in_l1.clone(), in_l2.clone(), in_both.clone()])
    );
    assert!(contact_ids(&app, &format!("lists={l3}")).await.is_empty());
    assert_eq!(
        contact_ids(&app, &format!("tags={t2}")).await,
        sorted(vec![in_l2.clone(), in_both.clone()])
    );
    assert_eq!(
        contact_ids(&app, &format!("tags={t1},{t2}")).await,
        sorted(vec![in_l1.clone(), in_l2.clone(), in_both.clone()])
    );
    assert_eq!(contacts_count(&app, &format!("lists={l1},{l2}")).await, 3);
    assert_eq!(contacts_count(&app, &format!("tags={t1}")).await, 2);

    // 25 list ids and 50 tag ids are the most a filter takes; unknown ids match nothing.
    let mut lists: Vec<String> = (0..24).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    lists.push(l2.clone());
    assert_eq!(
        contact_ids(&app, &format!("lists={}", lists.join(","))).await,
        sorted(vec![in_l2.clone(), in_both.clone()])
    );
    lists.push(uuid::Uuid::new_v4().to_string());
    app.get(&format!("/v3/contacts?lists={}", lists.join(",")))
        .refused(&["lists may name at most 25 ids."], "26 lists")
        .await;
    let mut tags: Vec<String> = (0..49).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    tags.push(t1.clone());
    assert_eq!(
        contact_ids(&app, &format!("tags={}", tags.join(","))).await,
        sorted(vec![in_l1, in_both])
    );
    tags.push(uuid::Uuid::new_v4().to_string());
    app.get(&format!("/v3/contacts?tags={}", tags.join(",")))
        .refused(&["tags may name at most 50 ids."], "51 tags")
        .await;
    app.get("/v3/contacts?lists=not-a-uuid")
        .refused(
            &["lists holds not-a-uuid, which is not a valid id."],
            "malformed list id",
        )
        .await;
}

fn at(resource: &Value, key: &str) -> String {
    resource[key].as_str().expect("a timestamp").to_string()
}

fn encoded(timestamp: &str) -> String {
    timestamp.replace(':', "%3A").replace('+', "%2B")
}

async fn created_updated_and_optout_ranges(app: TestApp) {
    let pause = || tokio::time::sleep(Duration::from_millis(15));
    let first = app.create_contact(
        json!({"email_address": {"address": "first@example.com", "permission_to_send": "unsubscribed"}}),
    )
    .await;
    pause().await;
    let second = app.create_contact(
        json!({"email_address": {"address": "second@example.com", "permission_to_send": "explicit"}}),
    )
    .await;
    pause().await;
    let third = app.create_contact(
        json!({"email_address": {"address": "third@example.com", "permission_to_send": "unsubscribed"}}),
    )
    .await;
    let (a, b, c) = (
        id(&first, "contact_id"),
        id(&second, "contact_id"),
        id(&third, "contact_id"),
    );
    let created_b = encoded(&at(&second, "created_at"));
    let created_c = encoded(&at(&third, "created_at"));
    assert_eq!(
        contact_ids(&app, &format!("created_after={created_b}")).await,
        sorted(vec![b.clone(), c.clone()])
    );
    assert_eq!(
        contact_ids(&app, &format!("created_before={created_b}")).await,
        vec![a.clone()]
    );
    assert_eq!(
        contact_ids(
            &app,
            &format!("created_after={created_b}&created_before={created_c}")
        )
        .await,
        vec![b.clone()]
    );
    // Other offsets name the same instant.
    assert_eq!(
        contact_ids(&app, "created_after=2000-01-01T00:00:00.000-05:00").await,
        sorted(vec![a.clone(), b.clone(), c.clone()])
    );
    assert!(contact_ids(&app, "created_before=2000-01-01")
        .await
        .is_empty());

    pause().await;
    let updated = app
        .put_json(
            &format!("/v3/contacts/{a}"),
            json!({"first_name": "Changed", "update_source": "Account"}),
        )
        .await;
    let updated_a = encoded(&at(&updated, "updated_at"));
    assert_eq!(
        contact_ids(&app, &format!("updated_after={updated_a}")).await,
        vec![a.clone()]
    );
    assert_eq!(
        contact_ids(&app, &format!("updated_before={updated_a}")).await,
        sorted(vec![b.clone(), c.clone()])
    );

    let optout_c = encoded(
        third["email_address"]["opt_out_date"]
            .as_str()
            .expect("an opt_out_date"),
    );
    assert_eq!(
        contact_ids(&app, &format!("optout_after={optout_c}")).await,
        vec![c.clone()]
    );
    assert_eq!(
        contact_ids(&app, &format!("optout_before={optout_c}")).await,
        vec![a.clone()]
    );
    assert_eq!(
        contact_ids(&app, "optout_after=2000-01-01T00:00:00Z").await,
        sorted(vec![a, c])
    );
    for name in [
        "created_after",
        "created_before",
        "updated_after",
        "updated_before",
        "optout_after",
        "optout_before",
    ] {
        app.get(&format!("/v3/contacts?{name}=yesterday"))
            .refused(
                &[&format!(
                    "{name} must be an ISO-8601 date-time such as 2022-01-01T16:37:59.091Z."
                )],
                name,
            )
            .await;
    }
}

async fn include_adds_exactly_the_named_sub_resources(app: TestApp) {
    let list = app.create_list("L").await;
    let tag = app.create_tag("T").await;
    let field = app.create_string_field("Shoe").await;
    let field_id = id(&field, "custom_field_id");
    app.create_contact(json!({
        "email_address": {"address": "full@example.com"},
        "custom_fields": [{"custom_field_id": field_id, "value": "44"}],
        "list_memberships": [list], "taggings": [tag],
        "phone_numbers": [{"phone_number": "555-0100", "kind": "home"}],
        "street_addresses": [{"kind": "work", "city": "Paris"}],
        "notes": [{"content": "hello"}]
    }))
    .await;
    let names = [
        "custom_fields",
        "list_memberships",
        "phone_numbers",
        "street_addresses",
        "taggings",
        "notes",
    ];
    let plain = app.get_json("/v3/contacts").await;
    for name in names {
        assert!(
            plain["contacts"][0].get(name).is_none(),
            "{name} without include"
        );
    }
    for name in names {
        let page = app.get_json(&format!("/v3/contacts?include={name}")).await;
        let contact = &page["contacts"][0];
        for other in names {
            assert_eq!(
                contact.get(other).is_some(),
                other == name,
                "include={name}: {other}"
            );
        }
        assert_eq!(contact[name].as_array().map(Vec::len), Some(1), "{name}");
    }
    let page = app
        .get_json("/v3/contacts?include=list_memberships,taggings")
        .await;
    assert_eq!(page["contacts"][0]["list_memberships"], json!([list]));
    assert_eq!(page["contacts"][0]["taggings"], json!([tag]));
    assert_eq!(
        page["contacts"][0]["custom_fields"],
        Value::Null,
        "not included"
    );
    let all = app
        .get_json(&format!("/v3/contacts?include={}", names.join(",")))
        .await;
    assert_eq!(
        all["contacts"][0]["custom_fields"],
        json!([{"custom_field_id": field_id, "value": "44"}])
    );
    assert_eq!(all["contacts"][0]["street_addresses"][0]["city"], "Paris");
    assert_eq!(all["contacts"][0]["notes"][0]["content"], "hello");
    assert_eq!(all["contacts"][0]["phone_numbers"][0]["kind"], "home");
}

async fn sms_status_filter(app: TestApp) {
    let texting = id(
        &app.create_contact(json!({"email_address": {"address": "sms@example.com"},
                   "sms_channel": {"full_sms_address": "+15555550100",
                                   "sms_channel_consents": [{"sms_consent_permission": "explicit", "consent_type": "promotional_sms"}]}}),
        )
        .await,
        "contact_id",
    );
    let stopped = id(
        &app.create_contact(json!({"email_address": {"address": "stop@example.com"},
                   "sms_channel": {"full_sms_address": "+15555550101",
                                   "sms_channel_consents": [{"sms_consent_permission": "unsubscribed", "consent_type": "promotional_sms"}]}}),
        )
        .await,
        "contact_id",
    );
    let email_only = contact_with(&app, "plain@example.com", "explicit").await;
    for (query, expected) in [
        ("sms_status=explicit", vec![texting.clone()]),
        ("sms_status=unsubscribed", vec![stopped.clone()]),
        ("sms_status=not_set", vec![email_only.clone()]),
        ("sms_status=pending_confirmation", vec![]),
        (
            "sms_status=explicit,not_set",
            sorted(vec![texting.clone(), email_only.clone()]),
        ),
        ("sms_status=all", sorted(vec![texting, stopped, email_only])),
    ] {
        assert_eq!(contact_ids(&app, query).await, expected, "{query}");
    }
    assert_eq!(contacts_count(&app, "sms_status=unsubscribed").await, 1);
    app.get("/v3/contacts?sms_status=maybe")
        .refused(
            &[
                "sms_status holds maybe; allowed values are: all, explicit, unsubscribed, \
                 pending_confirmation, not_set.",
            ],
            "unknown sms_status",
        )
        .await;
}

async fn include_count_and_limit_bounds(app: TestApp) {
    for n in 0..3 {
        contact_with(&app, &format!("c{n}@example.com"), "implicit").await;
    }
    let without = app.get_json("/v3/contacts").await;
    assert!(without.get("contacts_count").is_none());
    let off = app.get_json("/v3/contacts?include_count=false").await;
    assert!(off.get("contacts_count").is_none());
    let on = app
        .get_json("/v3/contacts?include_count=true&limit=1")
        .await;
    assert_eq!(on["contacts_count"], 3);
    assert_eq!(on["contacts"].as_array().unwrap().len(), 1);
    let page = app.get_json("/v3/contacts?limit=500").await;
    assert_eq!(page["contacts"].as_array().unwrap().len(), 3);
    assert!(page.get("_links").is_none(), "one page only: {page}");
    for bad in ["0", "501", "-1", "ten"] {
        app.get(&format!("/v3/contacts?limit={bad}"))
            .refused(
                &["limit must be a whole number from 1 to 500."],
                &format!("limit={bad}"),
            )
            .await;
    }
    app.get("/v3/contacts?include_count=yes")
        .refused(
            &["include_count must be true or false."],
            "include_count=yes",
        )
        .await;
}

async fn filters_and_together(app: TestApp) {
    let list = app.create_list("L").await;
    let tag = app.create_tag("T").await;
    let mut expected = Vec::new();
    for (n, (permission, in_list, tagged)) in [
        ("unsubscribed", true, true),
        ("unsubscribed", true, false),
        ("unsubscribed", false, true),
        ("explicit", true, true),
        ("unsubscribed", true, true),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = json!({"email_address": {"address": format!("m{n}@example.com"), "permission_to_send": permission}});
        if in_list {
            body["list_memberships"] = json!([list]);
        }
        if tagged {
            body["taggings"] = json!([tag]);
        }
        let contact = app.create_contact(body).await;
        if permission == "unsubscribed" && in_list && tagged {
            expected.push(id(&contact, "contact_id"));
        }
    }
    let query = format!("lists={list}&tags={tag}&status=unsubscribed");
    assert_eq!(contact_ids(&app, &query).await, sorted(expected.clone()));
    assert_eq!(contacts_count(&app, &query).await, 2);
    assert_eq!(
        contact_ids(&app, &format!("{query}&email=m4@example.com")).await,
        vec![expected[1].clone()]
    );
    assert!(contact_ids(&app, &format!("{query}&email=m3@example.com"))
        .await
        .is_empty());
    assert_eq!(
        contacts_count(&app, &format!("lists={list}&status=active")).await,
        1
    );
}

async fn next_links_walk_every_page_and_carry_the_filters(app: TestApp) {
    let list = app.create_list("Paged").await;
    let mut members = Vec::new();
    for n in 0..7 {
        let contact = app.create_contact(
            json!({"email_address": {"address": format!("p{n}@example.com")}, "list_memberships": [list]}),
        )
        .await;
        members.push(id(&contact, "contact_id"));
    }
    for n in 0..3 {
        contact_with(&app, &format!("outside{n}@example.com"), "explicit").await;
    }
    let first = app
        .get_json(&format!(
            "/v3/contacts?lists={list}&limit=2&include=list_memberships"
        ))
        .await;
    let href = first["_links"]["next"]["href"].as_str().unwrap();
    assert!(href.starts_with("/v3/contacts?"), "{href}");
    assert!(href.contains(&format!("lists={list}")), "{href}");
    assert!(href.contains("limit=2"), "{href}");
    assert!(href.contains("include=list_memberships"), "{href}");
    assert!(href.contains("cursor="), "{href}");
    let (items, pages) = walk(
        &app,
        &format!("/v3/contacts?lists={list}&limit=2&include=list_memberships"),
        "contacts",
    )
    .await;
    assert_eq!(pages, 4);
    let walked: Vec<String> = items.iter().map(|c| id(c, "contact_id")).collect();
    // Pages come in id order, without repeats, and hold only members.
    assert_eq!(walked, sorted(members.clone()));
    for contact in &items {
        assert_eq!(contact["list_memberships"], json!([list]));
    }
    let (everyone, pages) = walk(&app, "/v3/contacts?limit=3", "contacts").await;
    assert_eq!((everyone.len(), pages), (10, 4));
    // A tampered cursor answers 400.
    let tampered = href.replace("cursor=", "cursor=x");
    app.get(&tampered)
        .refused(
            &["cursor is not a cursor this server issued."],
            "tampered cursor",
        )
        .await;
    let (all, _) = walk(&app, "/v3/contacts?limit=1", "contacts").await;
    assert_eq!(all.len(), 10);
    let ids: Vec<String> = all.iter().map(|c| id(c, "contact_id")).collect();
    assert_eq!(ids, sorted(ids.clone()));
    let page = app.get_json("/v3/contacts?limit=10").await;
    assert!(page.get("_links").is_none());
    assert_eq!(ids_in(&page, "contacts", "contact_id"), ids);
}

async fn keyset_pages_are_stable_while_rows_change(app: TestApp) {
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(contact_with(&app, &format!("k{n}@example.com"), "explicit").await);
    }
    let first = app.get_json("/v3/contacts?limit=3").await;
    let seen = ids_in(&first, "contacts", "contact_id");
    assert_eq!(seen, ids[..3]);
    // Between pages: one seen contact is deleted, one unseen is deleted, two are added.
    app.delete(&format!("/v3/contacts/{}", ids[0]))
        .send()
        .await
        .expect(204);
    app.delete(&format!("/v3/contacts/{}", ids[4]))
        .send()
        .await
        .expect(204);
    let added_a = contact_with(&app, "late-a@example.com", "explicit").await;
    let added_b = contact_with(&app, "late-b@example.com", "explicit").await;
    let href = first["_links"]["next"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let (rest, _) = walk(&app, &href, "contacts").await;
    let rest: Vec<String> = rest.iter().map(|c| id(c, "contact_id")).collect();
    // Nothing seen comes back, nothing unseen and alive is skipped.
    assert_eq!(rest, vec![ids[3].clone(), ids[5].clone(), added_a, added_b]);
}
