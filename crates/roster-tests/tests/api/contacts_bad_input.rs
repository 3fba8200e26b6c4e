//! Bad input to the contact operations: each answers 400 with an error naming the property
//! (or parameter), and nothing answers 5xx.

use roster_tests::{on_both_engines, TestApp};
use serde_json::{json, Value};

use crate::contact_support::{contact_with, contacts_count, id};
use crate::support::{assert_still_healthy, invalid};

on_both_engines!(
    too_long_fields,
    too_many_sub_resources,
    unknown_ids_in_bodies,
    malformed_emails_and_impossible_dates,
    wrong_types_and_values,
    sign_up_form_bad_input,
    bad_query_parameters,
);

/// Sends `body` as a POST (with create_source) and as a PUT (with update_source) and expects
/// the same 400 body from both.
async fn assert_refused(app: &TestApp, contact: &str, body: Value, messages: &[&str]) {
    let mut post = body.clone();
    post["create_source"] = json!("Account");
    if post.get("email_address").is_none() {
        // POST needs something that identifies the contact; the problem is elsewhere.
        post["email_address"] = json!({"address": "probe@example.com"});
    }
    app.post("/v3/contacts", post)
        .answers(400, &invalid(messages), &format!("POST {body}"))
        .await;
    let mut put = body.clone();
    put["update_source"] = json!("Account");
    app.put(&format!("/v3/contacts/{contact}"), put)
        .answers(400, &invalid(messages), &format!("PUT {body}"))
        .await;
}

/// A PUT with all but the last of `items` under `property` is accepted; with all of them it is
/// refused with `message` (the limit is exactly one below `items.len()`).
async fn assert_all_but_the_last_fit(
    app: &TestApp,
    contact: &str,
    property: &str,
    items: Vec<Value>,
    message: &str,
) {
    let mut fitting = json!({"update_source": "Account"});
    fitting[property] = json!(items[..items.len() - 1]);
    app.put(&format!("/v3/contacts/{contact}"), fitting)
        .send()
        .await
        .expect(200);
    assert_refused(app, contact, json!({ property: items }), &[message]).await;
}

async fn too_long_fields(app: TestApp) {
    let contact = contact_with(&app, "target@example.com", "explicit").await;
    let n = |len: usize| "n".repeat(len);
    let address = |len: usize| format!("a@{}.{}.example.com", "b".repeat(30), "c".repeat(len - 45));
    let long_address = address(81);
    assert_eq!(long_address.len(), 81);
    for (body, message) in [
        (
            json!({"first_name": n(51)}),
            "first_name exceeds the maximum length of 50 characters.",
        ),
        (
            json!({"last_name": n(51)}),
            "last_name exceeds the maximum length of 50 characters.",
        ),
        (
            json!({"job_title": n(51)}),
            "job_title exceeds the maximum length of 50 characters.",
        ),
        (
            json!({"company_name": n(51)}),
            "company_name exceeds the maximum length of 50 characters.",
        ),
        (
            json!({"anniversary": n(11)}),
            "anniversary exceeds the maximum length of 10 characters.",
        ),
        (
            json!({"email_address": {"address": long_address}}),
            "email_address.address exceeds the maximum length of 80 characters.",
        ),
        (
            json!({"email_address": {"address": "x@example.com", "opt_out_reason": n(256)}}),
            "email_address.opt_out_reason exceeds the maximum length of 255 characters.",
        ),
        (
            json!({"phone_numbers": [{"phone_number": n(26)}]}),
            "phone_numbers[0].phone_number exceeds the maximum length of 25 characters.",
        ),
        (
            json!({"street_addresses": [{"kind": "home", "street": n(256)}]}),
            "street_addresses[0].street exceeds the maximum length of 255 characters.",
        ),
        (
            json!({"street_addresses": [{"kind": "home", "city": n(51)}]}),
            "street_addresses[0].city exceeds the maximum length of 50 characters.",
        ),
        (
            json!({"notes": [{"content": n(2001)}]}),
            "notes[0].content exceeds the maximum length of 2000 characters.",
        ),
    ] {
        assert_refused(&app, &contact, body, &[message]).await;
    }
    // At the limits, everything is accepted.
    let at_limit = address(80);
    assert_eq!(at_limit.len(), 80);
    app.post(
        "/v3/contacts",
        json!({"email_address": {"address": at_limit}, "first_name": n(50), "create_source": "Account",
               "phone_numbers": [{"phone_number": "1".repeat(25)}], "notes": [{"content": n(2000)}]}),
    )
    .send()
    .await
    .expect(201);
    assert_still_healthy(&app).await;
}

async fn too_many_sub_resources(app: TestApp) {
    let contact = contact_with(&app, "target@example.com", "explicit").await;
    let ids =
        |n: usize| -> Vec<String> { (0..n).map(|_| uuid::Uuid::new_v4().to_string()).collect() };
    let fields: Vec<Value> = ids(26)
        .into_iter()
        .map(|id| json!({"custom_field_id": id, "value": "v"}))
        .collect();
    let phone = json!({"phone_number": "555"});
    let address = json!({"kind": "home"});
    let note = json!({"content": "x"});
    for (body, message) in [
        (
            json!({"custom_fields": fields}),
            "custom_fields may hold at most 25 items.",
        ),
        (
            json!({"list_memberships": ids(51)}),
            "list_memberships may hold at most 50 items.",
        ),
        (
            json!({"taggings": ids(51)}),
            "taggings may hold at most 50 items.",
        ),
        (
            json!({"phone_numbers": vec![phone; 4]}),
            "phone_numbers may hold at most 3 items.",
        ),
        (
            json!({"street_addresses": vec![address; 4]}),
            "street_addresses may hold at most 3 items.",
        ),
        (
            json!({"notes": vec![note; 151]}),
            "notes may hold at most 150 items.",
        ),
    ] {
        assert_refused(&app, &contact, body, &[message]).await;
    }
    // 25 real custom fields are accepted; the 26th is refused before its ids are looked at.
    let mut values = Vec::new();
    for n in 0..26 {
        let field = app.create_string_field(&format!("F{n}")).await;
        values.push(
            json!({"custom_field_id": id(&field, "custom_field_id"), "value": format!("v{n}")}),
        );
    }
    let message = "custom_fields may hold at most 25 items.";
    assert_all_but_the_last_fit(&app, &contact, "custom_fields", values, message).await;
    // 50 real lists are accepted; a 51st is refused.
    let mut lists = Vec::new();
    for n in 0..51 {
        lists.push(app.create_list(&format!("List {n}")).await);
    }
    let items = lists.iter().map(|list| json!(list)).collect();
    let message = "list_memberships may hold at most 50 items.";
    assert_all_but_the_last_fit(&app, &contact, "list_memberships", items, message).await;
    // A sign-up that would add a 51st list to a contact already in 50 is refused too.
    app.post(
        "/v3/contacts/sign_up_form",
        json!({"email_address": "target@example.com", "list_memberships": [lists[50]]}),
    )
    .refused(
        &["list_memberships may hold at most 50 items."],
        "sign-up past 50 lists",
    )
    .await;
    assert_still_healthy(&app).await;
}

async fn unknown_ids_in_bodies(app: TestApp) {
    let contact = contact_with(&app, "target@example.com", "explicit").await;
    let list = app.create_list("Real").await;
    let stranger = uuid::Uuid::new_v4().to_string();
    assert_refused(
        &app,
        &contact,
        json!({"list_memberships": [list, stranger]}),
        &[&format!(
            "list_memberships[1] {stranger} is not a contact list of this account."
        )],
    )
    .await;
    assert_refused(
        &app,
        &contact,
        json!({"taggings": [stranger]}),
        &[&format!(
            "taggings[0] {stranger} is not a tag of this account."
        )],
    )
    .await;
    assert_refused(
        &app,
        &contact,
        json!({"custom_fields": [{"custom_field_id": stranger, "value": "x"}]}),
        &[&format!(
            "custom_fields[0].custom_field_id {stranger} is not a custom field of this account."
        )],
    )
    .await;
    assert_refused(
        &app,
        &contact,
        json!({"list_memberships": ["nope"], "taggings": [7]}),
        &[
            "list_memberships[0] is not a valid id.",
            "taggings[0] is not a valid id.",
        ],
    )
    .await;
    app.post(
        "/v3/contacts/sign_up_form",
        json!({"email_address": "new@example.com", "list_memberships": [stranger]}),
    )
    .refused(
        &[&format!(
            "list_memberships[0] {stranger} is not a contact list of this account."
        )],
        "sign-up with an unknown list",
    )
    .await;
    app.post(
        "/v3/contacts/sign_up_form",
        json!({"email_address": "new@example.com", "list_memberships": [list],
                   "custom_fields": [{"custom_field_id": stranger, "value": "x"}]}),
    )
    .refused(
        &[&format!(
            "custom_fields[0].custom_field_id {stranger} is not a custom field of this account."
        )],
        "sign-up with an unknown custom field",
    )
    .await;
    // Nothing was created by the refused requests.
    assert_eq!(contacts_count(&app, "status=all").await, 1);
    assert_still_healthy(&app).await;
}

async fn malformed_emails_and_impossible_dates(app: TestApp) {
    let contact = contact_with(&app, "target@example.com", "explicit").await;
    for address in [
        "not-an-address",
        "a@b",
        "two@@example.com",
        "a b@example.com",
        "",
    ] {
        assert_refused(
            &app,
            &contact,
            json!({"email_address": {"address": address}}),
            &["email_address.address is not a valid email address."],
        )
        .await;
    }
    for (body, message) in [
        (
            json!({"email_address": {"permission_to_send": "explicit"}}),
            "email_address.address is required.",
        ),
        (
            json!({"birthday_month": 2, "birthday_day": 31}),
            "birthday_day must be from 1 to 29 for month 2.",
        ),
        (
            json!({"birthday_month": 4, "birthday_day": 31}),
            "birthday_day must be from 1 to 30 for month 4.",
        ),
        (
            json!({"birthday_month": 13, "birthday_day": 1}),
            "birthday_month must be from 1 to 12.",
        ),
        (
            json!({"birthday_month": 3}),
            "birthday_day is required when birthday_month is given.",
        ),
    ] {
        assert_refused(&app, &contact, body, &[message]).await;
    }
    let anniversary = "anniversary must be a real date in one of the forms MM/DD/YYYY, M/D/YYYY, YYYY/MM/DD, YYYY/M/D, YYYY-MM-DD, YYYY-M-D, M-D-YYYY or MM-DD-YYYY.";
    for bad in [
        "13/45/2020",
        "2021-02-29",
        "02/30/2020",
        "yesterday",
        "2020/1/2/3",
    ] {
        assert_refused(&app, &contact, json!({"anniversary": bad}), &[anniversary]).await;
    }
    // Every accepted form, normalised.
    for (form, normalised) in [
        ("03/04/2020", "2020-03-04"),
        ("3/4/2020", "2020-03-04"),
        ("2020/03/04", "2020-03-04"),
        ("2020/3/4", "2020-03-04"),
        ("2020-03-04", "2020-03-04"),
        ("2020-3-4", "2020-03-04"),
        ("3-4-2020", "2020-03-04"),
        ("03-04-2020", "2020-03-04"),
        ("2/29/2020", "2020-02-29"),
    ] {
        let put = app
            .put_json(
                &format!("/v3/contacts/{contact}"),
                json!({"anniversary": form, "update_source": "Account"}),
            )
            .await;
        assert_eq!(put["anniversary"], normalised, "{form}");
    }
    assert_still_healthy(&app).await;
}

async fn wrong_types_and_values(app: TestApp) {
    let contact = contact_with(&app, "target@example.com", "explicit").await;
    for (body, messages) in [
        (
            json!({"first_name": 5, "birthday_month": "May", "birthday_day": 1}),
            vec![
                "first_name must be a string, not a number.",
                "birthday_month must be an integer, not a string.",
            ],
        ),
        (
            json!({"email_address": {"address": "x@example.com", "permission_to_send": "always"}}),
            vec!["email_address.permission_to_send must be one of: explicit, implicit, not_set, pending_confirmation, temp_hold, unsubscribed."],
        ),
        (
            json!({"phone_numbers": [{"phone_number": "1", "kind": "pager"}]}),
            vec!["phone_numbers[0].kind must be one of: home, work, mobile, other."],
        ),
        (
            json!({"street_addresses": [{"city": "Rome"}]}),
            vec!["street_addresses[0].kind is required (home, work or other)."],
        ),
        (
            json!({"sms_channel": {"full_sms_address": "call me", "sms_channel_consents": []}}),
            vec!["sms_channel.full_sms_address is not a phone number with a known country dial code, such as +15555550100."],
        ),
        (
            json!({"notes": [{"content": "x", "created_at": "noon"}]}),
            vec!["notes[0].created_at must be an ISO-8601 date-time."],
        ),
    ] {
        let refs: Vec<&str> = messages.to_vec();
        assert_refused(&app, &contact, body, &refs).await;
    }
    app.post(
        "/v3/contacts",
        json!({"create_source": "Account", "job_title": "x"}),
    )
    .refused(
        &["email_address is required unless first_name, last_name or sms_channel is given."],
        "nothing identifying",
    )
    .await;
    let response = app.post("/v3/contacts", json!([1, 2])).send().await;
    assert_eq!(response.status, 400);
    assert_still_healthy(&app).await;
}

async fn sign_up_form_bad_input(app: TestApp) {
    let list = app.create_list("L").await;
    let long = format!("{}@example.com", "a".repeat(39));
    assert_eq!(long.len(), 51);
    for (body, message) in [
        (
            json!({"email_address": "nope", "list_memberships": [list]}),
            "email_address is not a valid email address.",
        ),
        (
            json!({"email_address": long, "list_memberships": [list]}),
            "email_address exceeds the maximum length of 50 characters.",
        ),
        (
            json!({"list_memberships": [list]}),
            "email_address is required unless sms_channel is given.",
        ),
        (
            json!({"email_address": "a@example.com", "list_memberships": [list], "birthday_month": 2, "birthday_day": 30}),
            "birthday_day must be from 1 to 29 for month 2.",
        ),
        (
            json!({"email_address": "a@example.com", "list_memberships": [list], "anniversary": "13/45/2020"}),
            "anniversary must be a real date in one of the forms MM/DD/YYYY, M/D/YYYY, YYYY/MM/DD, YYYY/M/D, YYYY-MM-DD, YYYY-M-D, M-D-YYYY or MM-DD-YYYY.",
        ),
        (
            json!({"email_address": "a@example.com", "list_memberships": [list], "first_name": "f".repeat(51)}),
            "first_name exceeds the maximum length of 50 characters.",
        ),
    ] {
        app.post("/v3/contacts/sign_up_form", body.clone())
            .refused(&[message], &body.to_string())
            .await;
    }
    assert_eq!(
        contacts_count(&app, "email=a@example.com&status=all").await,
        0
    );
    assert_still_healthy(&app).await;
}

async fn bad_query_parameters(app: TestApp) {
    let contact = contact_with(&app, "target@example.com", "explicit").await;
    let include = "include holds avatar; allowed values are: custom_fields, list_memberships, phone_numbers, street_addresses, taggings, notes.";
    let lists: Vec<String> = (0..26).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    for (path, message) in [
        ("/v3/contacts?include=avatar".to_string(), include.to_string()),
        (format!("/v3/contacts/{contact}?include=notes,avatar"), include.to_string()),
        (
            "/v3/contacts?status=archived".to_string(),
            "status holds archived; allowed values are: all, active, deleted, not_set, pending_confirmation, temp_hold, unsubscribed.".to_string(),
        ),
        ("/v3/contacts?limit=0".to_string(), "limit must be a whole number from 1 to 500.".to_string()),
        ("/v3/contacts?limit=501".to_string(), "limit must be a whole number from 1 to 500.".to_string()),
        (format!("/v3/contacts?lists={}", lists.join(",")), "lists may name at most 25 ids.".to_string()),
        ("/v3/contacts?email=not-an-address".to_string(), "email is not a valid email address.".to_string()),
        (
            "/v3/contacts/counts?include=everything".to_string(),
            "include holds everything; allowed values are: new_subscriber.".to_string(),
        ),
    ] {
        app.get(&path).refused(&[&message], &path).await;
    }
    let response = app.get("/v3/contacts/not-a-uuid").send().await;
    assert_eq!(response.status, 400);
    assert_still_healthy(&app).await;
}
