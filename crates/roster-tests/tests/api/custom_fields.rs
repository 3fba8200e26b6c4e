//! Contacts Custom Fields: all five operations and their rules (the 100-field quota, labels,
//! types, the derived name, conflicts, what PUT replaces, the contact_data scope, and the wall
//! between accounts).

use roster_tests::{on_both_engines, TestApp};
use serde_json::{json, Value};

use crate::support::{
    assert_still_healthy, create_fields, field_path, id_of, ids_on_page, invalid, not_found,
    v3_error, COLLECTION,
};

on_both_engines!(create_read_update_delete);

async fn create_read_update_delete(app: TestApp) {
    let created = app.create(
        "/v3/contact_custom_fields",
        json!({"label": "Favorite fruit", "type": "single_select",
               "choices": [{"choice_label": "Apple"}, {"choice_label": "Pear", "display_order": 7}]}),
    )
    .await;
    assert_eq!(created["label"], "Favorite fruit");
    assert_eq!(created["name"], "Favorite_fruit");
    assert_eq!(created["type"], "single_select");
    assert_eq!(created["choices"][1]["choice_id"], 2);
    assert_eq!(created["choices"][1]["display_order"], 7);
    let id = created["custom_field_id"].as_str().unwrap().to_string();

    let read = app
        .get_json(&format!("/v3/contact_custom_fields/{id}"))
        .await;
    assert_eq!(read, created);

    let updated = app.put_json(
        &format!("/v3/contact_custom_fields/{id}"),
        json!({"label": "Fruit", "choices": [{"choice_id": 2, "choice_label": "Pear"}, {"choice_label": "Plum"}]}),
    )
    .await;
    assert_eq!(updated["name"], "Fruit");
    let choices: Vec<(i64, &str)> = updated["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["choice_id"].as_i64().unwrap(),
                c["choice_label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(choices, [(2, "Pear"), (3, "Plum")]);

    let response = app
        .delete(&format!("/v3/contact_custom_fields/{id}"))
        .send()
        .await
        .expect(204);
    assert!(response.body.is_empty());
    app.get(&format!("/v3/contact_custom_fields/{id}"))
        .send()
        .await
        .expect(404);
}

on_both_engines!(
    at_most_100_fields_per_account,
    concurrent_creations_respect_the_quota,
    labels_are_at_most_50_characters,
    every_documented_type_creates,
    name_is_derived_from_the_label_and_read_only,
    duplicate_labels_conflict,
    put_overwrites_what_it_omits,
    put_cannot_change_the_type,
    the_contact_data_scope_is_required,
    accounts_see_only_their_own_fields,
);

fn quota_reached() -> Value {
    invalid(&["The account already has the maximum of 100 custom fields."])
}

fn duplicate(label: &str) -> Value {
    v3_error(
        "contacts.api.conflict",
        &format!("A custom field with the label \"{label}\" (or the same name) already exists."),
    )
}

async fn count_fields(app: &TestApp, token: &str) -> usize {
    let page = app
        .get(&format!("{COLLECTION}?limit=100"))
        .token(token)
        .expect_json(200)
        .await;
    ids_on_page(&page).len()
}

async fn at_most_100_fields_per_account(app: TestApp) {
    let mut ids = create_fields(&app, "Field", 99).await;
    // Refused creations do not use up the quota.
    for _ in 0..3 {
        app.post(COLLECTION, json!({"label": "Field 0", "type": "string"}))
            .answers(409, &duplicate("Field 0"), "a duplicate")
            .await;
    }
    ids.push(id_of(&app.create_string_field("Field 99").await));
    app.post(
        COLLECTION,
        json!({"label": "One too many", "type": "string"}),
    )
    .answers(400, &quota_reached(), "the 101st field")
    .await;

    let page = app.get_json(&format!("{COLLECTION}?limit=100")).await;
    assert_eq!(ids_on_page(&page), ids);
    assert!(page.get("_links").is_none(), "100 fit one page");

    let other = app.create_account("other@example.com").await;
    app.post(COLLECTION, json!({"label": "Theirs", "type": "string"}))
        .token(&other.token)
        .send()
        .await
        .expect(201);

    app.delete(&field_path(&ids[40])).send().await.expect(204);
    let replacement = app.create_string_field("One too many").await;
    assert_eq!(replacement["label"], "One too many");
    app.post(
        COLLECTION,
        json!({"label": "Again too many", "type": "string"}),
    )
    .answers(400, &quota_reached(), "the 101st field again")
    .await;
    assert_eq!(count_fields(&app, &app.owner.token).await, 100);
    assert_still_healthy(&app).await;
}

async fn concurrent_creations_respect_the_quota(app: TestApp) {
    create_fields(&app, "Field", 95).await;
    let attempts = (0..10).map(|n| {
        app.post(
            COLLECTION,
            json!({"label": format!("Racing {n}"), "type": "string"}),
        )
        .send()
    });
    let responses = futures::future::join_all(attempts).await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 201, 201, 201, 201, 400, 400, 400, 400, 400]);
    for refused in responses.iter().filter(|r| r.status == 400) {
        assert_eq!(refused.json(), quota_reached());
    }
    assert_eq!(count_fields(&app, &app.owner.token).await, 100);
}

async fn labels_are_at_most_50_characters(app: TestApp) {
    for label in ["x".repeat(50), "é".repeat(50), "🍎".repeat(50)] {
        let created = app.create_string_field(&label).await;
        assert_eq!(created["label"], label.as_str());
    }
    let too_long = invalid(&["label exceeds the maximum length of 50 characters."]);
    for label in ["y".repeat(51), "é".repeat(51)] {
        app.post(COLLECTION, json!({"label": label, "type": "string"}))
            .answers(400, &too_long, &format!("POST {label}"))
            .await;
    }
    let blank = invalid(&["label must not be blank."]);
    for label in ["", "   "] {
        app.post(COLLECTION, json!({"label": label, "type": "string"}))
            .answers(400, &blank, &format!("POST {label:?}"))
            .await;
    }
    let field = app.create_string_field("Short").await;
    let path = field_path(&id_of(&field));
    app.put(&path, json!({"label": "z".repeat(51)}))
        .answers(400, &too_long, "PUT 51 characters")
        .await;
    app.put(&path, json!({"label": " "}))
        .answers(400, &blank, "PUT a blank label")
        .await;
    let renamed = app.put_json(&path, json!({"label": "w".repeat(50)})).await;
    assert_eq!(renamed["label"], "w".repeat(50));
    assert_still_healthy(&app).await;
}

async fn every_documented_type_creates(app: TestApp) {
    let choices = json!([{"choice_label": "One"}, {"choice_label": "Two"}]);
    let bodies = [
        json!({"label": "A string", "type": "string"}),
        json!({"label": "A date", "type": "date"}),
        json!({"label": "A number", "type": "number", "metadata": {"decimal_places": 2}}),
        json!({"label": "A currency", "type": "currency", "metadata": {"currency_code": "USD"}}),
        json!({"label": "A single select", "type": "single_select", "choices": choices}),
        json!({"label": "A multi select", "type": "multi_select", "choices": choices}),
    ];
    let mut created_types = Vec::new();
    for body in bodies {
        let created = app.create(COLLECTION, body.clone()).await;
        assert_eq!(created["type"], body["type"]);
        created_types.push(created["type"].as_str().expect("a type").to_string());
        if body["type"] == "date" {
            assert_eq!(created["version"], 2, "dates default to version 2");
        }
        if body.get("choices").is_some() {
            assert_eq!(created["choices"][1]["choice_label"], "Two");
        }
    }
    let page = app.get_json(COLLECTION).await;
    let listed: Vec<&str> = page["custom_fields"]
        .as_array()
        .expect("custom_fields")
        .iter()
        .map(|f| f["type"].as_str().expect("a type"))
        .collect();
    assert_eq!(
        listed,
        [
            "string",
            "date",
            "number",
            "currency",
            "single_select",
            "multi_select"
        ]
    );
    assert_eq!(created_types, listed);

    let unknown = invalid(&[
        "type must be one of: string, date, number, currency, single_select, multi_select.",
    ]);
    for kind in ["text", "boolean", "select", ""] {
        app.post(COLLECTION, json!({"label": "Refused", "type": kind}))
            .answers(400, &unknown, &format!("type {kind:?}"))
            .await;
    }
    assert_still_healthy(&app).await;
}

async fn name_is_derived_from_the_label_and_read_only(app: TestApp) {
    let created = app
        .create(
            COLLECTION,
            json!({"label": "  Shoe  size\tEU ", "type": "string", "name": "my_own_name"}),
        )
        .await;
    assert_eq!(created["label"], "Shoe  size\tEU");
    assert_eq!(created["name"], "Shoe__size_EU");
    let path = field_path(&id_of(&created));
    let updated = app
        .put_json(
            &path,
            json!({"label": "Shoe size US", "name": "still_not_mine"}),
        )
        .await;
    assert_eq!(updated["name"], "Shoe_size_US");
    let read = app.get_json(&path).await;
    assert_eq!(read["name"], "Shoe_size_US");
    assert_eq!(read, updated);
}

async fn duplicate_labels_conflict(app: TestApp) {
    let color = app.create_string_field("Color").await;
    for (label, shown) in [("Color", "Color"), ("color", "color"), (" COLOR ", "COLOR")] {
        app.post(COLLECTION, json!({"label": label, "type": "string"}))
            .answers(409, &duplicate(shown), &format!("POST {label:?}"))
            .await;
    }
    let favorite = app.create_string_field("Favorite color").await;
    app.post(
        COLLECTION,
        json!({"label": "Favorite_color", "type": "date"}),
    )
    .answers(
        409,
        &duplicate("Favorite_color"),
        "a label with the same name",
    )
    .await;

    // PUT does not declare 409 in the document.
    let response = app
        .put(&field_path(&id_of(&favorite)), json!({"label": "color"}))
        .send_unchecked()
        .await;
    response.assert_answer(409, &duplicate("color"), "PUT another field's label");
    let kept = app.get_json(&field_path(&id_of(&favorite))).await;
    assert_eq!(kept, favorite, "a refused PUT changes nothing");

    let recased = app
        .put_json(&field_path(&id_of(&color)), json!({"label": "COLOR"}))
        .await;
    assert_eq!(recased["name"], "COLOR", "a field may keep its own name");
    let page = app.get_json(COLLECTION).await;
    assert_eq!(ids_on_page(&page), [id_of(&color), id_of(&favorite)]);
}

async fn put_overwrites_what_it_omits(app: TestApp) {
    let select = app
        .create(
            COLLECTION,
            json!({"label": "Size", "type": "single_select",
                   "choices": [{"choice_label": "S"}, {"choice_label": "M"}]}),
        )
        .await;
    let path = field_path(&id_of(&select));
    let needs_choice = invalid(&["choices must hold at least one choice for a select field."]);
    let needs_label = invalid(&["label is required."]);
    let cases = [
        (json!({"label": "Size"}), &needs_choice),
        (json!({"label": "Size", "choices": []}), &needs_choice),
        (json!({"label": "Size", "choices": null}), &needs_choice),
        (
            json!({"choices": [{"choice_id": 1, "choice_label": "S"}]}),
            &needs_label,
        ),
        (
            json!({"label": null, "choices": [{"choice_id": 1, "choice_label": "S"}]}),
            &needs_label,
        ),
        (json!({}), &needs_label),
    ];
    for (body, expected) in cases {
        app.put(&path, body.clone())
            .answers(400, expected, &format!("PUT {body}"))
            .await;
    }
    let unchanged = app.get_json(&path).await;
    assert_eq!(unchanged, select, "refused PUTs change nothing");

    let text = app.create_string_field("Nickname").await;
    let renamed = app
        .put_json(&field_path(&id_of(&text)), json!({"label": "Alias"}))
        .await;
    assert_eq!(renamed["label"], "Alias");
    assert!(renamed.get("choices").is_none());
}

async fn put_cannot_change_the_type(app: TestApp) {
    let text = app.create_string_field("Plain").await;
    let updated = app
        .put_json(
            &field_path(&id_of(&text)),
            json!({"label": "Still plain", "type": "number", "metadata": {"decimal_places": 2}}),
        )
        .await;
    assert_eq!(updated["type"], "string");
    assert!(updated.get("metadata").is_none());

    let date = app
        .create(
            COLLECTION,
            json!({"label": "Birthday", "type": "date",
                   "metadata": {"display_format": "YYYY-MM-DD"}}),
        )
        .await;
    let updated = app
        .put_json(
            &field_path(&id_of(&date)),
            json!({"label": "Birth day", "type": "string", "version": 1,
                   "metadata": {"display_format": "MM/DD/YYYY"}}),
        )
        .await;
    assert_eq!(updated["type"], "date");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["metadata"], json!({"display_format": "YYYY-MM-DD"}));

    let read = app.get_json(&field_path(&id_of(&text))).await;
    assert_eq!(read["type"], "string");
}

async fn the_contact_data_scope_is_required(app: TestApp) {
    let field = app.create_string_field("Scoped").await;
    let item = field_path(&id_of(&field));
    let forbidden = v3_error(
        "forbidden",
        "Forbidden request. The access token lacks the contact_data scope this operation requires.",
    );
    for scopes in [
        "campaign_data",
        "account_read account_update offline_access",
        "",
    ] {
        let token = app.token_for(&app.owner, scopes);
        let requests = [
            ("GET list", app.get(COLLECTION)),
            (
                "POST",
                app.post(COLLECTION, json!({"label": "Other", "type": "string"})),
            ),
            ("GET", app.get(&item)),
            ("PUT", app.put(&item, json!({"label": "Renamed"}))),
            ("DELETE", app.delete(&item)),
        ];
        for (what, request) in requests {
            request
                .token(&token)
                .answers(403, &forbidden, &format!("{what} with scopes {scopes:?}"))
                .await;
        }
    }
    let kept = app.get_json(&item).await;
    assert_eq!(kept, field, "forbidden requests change nothing");

    let token = app.token_for(&app.owner, "contact_data");
    app.get(COLLECTION).token(&token).send().await.expect(200);
    app.put(&item, json!({"label": "Renamed"}))
        .token(&token)
        .send()
        .await
        .expect(200);
    app.delete(&item).token(&token).send().await.expect(204);
}

async fn accounts_see_only_their_own_fields(app: TestApp) {
    let mine = create_fields(&app, "Mine", 3).await;
    let other = app.create_account("other@example.com").await;
    let theirs_page = app
        .get(COLLECTION)
        .token(&other.token)
        .expect_json(200)
        .await;
    assert_eq!(theirs_page, json!({"custom_fields": []}));

    for id in &mine {
        let path = field_path(id);
        app.get(&path)
            .token(&other.token)
            .answers(404, &not_found(id), "GET another account's field")
            .await;
        app.put(&path, json!({"label": "Taken over"}))
            .token(&other.token)
            .answers(404, &not_found(id), "PUT another account's field")
            .await;
        app.delete(&path)
            .token(&other.token)
            .answers(404, &not_found(id), "DELETE another account's field")
            .await;
    }

    let theirs = app
        .post(COLLECTION, json!({"label": "Mine 0", "type": "string"}))
        .token(&other.token)
        .expect_json(201)
        .await;
    app.get(&field_path(&id_of(&theirs)))
        .answers(404, &not_found(&id_of(&theirs)), "the other way round")
        .await;

    let page = app.get_json(&format!("{COLLECTION}?limit=1")).await;
    let href = page["_links"]["next"]["href"]
        .as_str()
        .expect("a next page");
    let borrowed = app.get(href).token(&other.token).expect_json(200).await;
    assert_eq!(
        ids_on_page(&borrowed),
        [id_of(&theirs)],
        "another account's cursor shows only one's own fields"
    );

    let page = app.get_json(COLLECTION).await;
    assert_eq!(ids_on_page(&page), mine, "the owner's fields are untouched");
    for field in page["custom_fields"].as_array().expect("custom_fields") {
        assert!(field["label"]
            .as_str()
            .expect("a label")
            .starts_with("Mine "));
    }
}
