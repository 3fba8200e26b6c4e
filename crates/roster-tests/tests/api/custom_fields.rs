//! Contacts Custom Fields: all five operations and their rules.

use roster_tests::{on_both_engines, TestApp};
use serde_json::json;

on_both_engines!(create_read_update_delete);

async fn create_read_update_delete(app: TestApp) {
    let created = app
        .post(
            "/v3/contact_custom_fields",
            json!({"label": "Favorite fruit", "type": "single_select",
                   "choices": [{"choice_label": "Apple"}, {"choice_label": "Pear", "display_order": 7}]}),
        )
        .send()
        .await
        .expect(201)
        .json();
    assert_eq!(created["label"], "Favorite fruit");
    assert_eq!(created["name"], "Favorite_fruit");
    assert_eq!(created["type"], "single_select");
    assert_eq!(created["choices"][1]["choice_id"], 2);
    assert_eq!(created["choices"][1]["display_order"], 7);
    let id = created["custom_field_id"].as_str().unwrap().to_string();

    let read = app
        .get(&format!("/v3/contact_custom_fields/{id}"))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(read, created);

    let updated = app
        .put(
            &format!("/v3/contact_custom_fields/{id}"),
            json!({"label": "Fruit", "choices": [{"choice_id": 2, "choice_label": "Pear"}, {"choice_label": "Plum"}]}),
        )
        .send()
        .await
        .expect(200)
        .json();
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
