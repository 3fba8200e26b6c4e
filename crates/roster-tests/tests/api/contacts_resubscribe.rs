//! PUT /contacts/resubscribe/{contact_id} end to end: one confirmation mail through the real
//! SMTP sink, the lists added at once, the contact explicit (and the counts moved) only after
//! the contact POSTs the confirmation form; the 409s, 400s and 404s; the link's pages.

use std::time::Duration;

use reqwest::Method;
use roster_tests::{on_both_engines_with_mail, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::contact_support::contact_with;
use crate::support::{conflict, unknown_resource};

on_both_engines_with_mail!(
    resubscribing_mails_one_confirmation_and_subscribes_only_on_confirm,
    a_second_request_and_subscribed_contacts_answer_409,
    bad_bodies_and_unknown_contacts_are_refused,
    unknown_and_declined_links_show_error_pages,
);

const CONFIRM: &str = "/contacts/resubscribe/confirm";

fn resubscribe_path(id: &str) -> String {
    format!("/v3/contacts/resubscribe/{id}")
}

async fn counts(app: &TestApp) -> Value {
    app.get_json("/v3/contacts/counts").await
}

/// Delivers the queued mail now; how many messages were sent.
async fn mails_sent(app: &TestApp) -> u32 {
    app.mailer().drain().await.expect("the outbox drains").sent
}

async fn page(
    app: &TestApp,
    method: Method,
    path_and_query: &str,
    form: Option<&str>,
) -> TestResponse {
    let mut request = app.request(method, path_and_query).anonymous();
    if let Some(form) = form {
        request = request.raw_body("application/x-www-form-urlencoded", form.to_string());
    }
    request.send_unchecked().await
}

/// Submits the confirmation page's form for `token`, choosing to be subscribed again.
async fn confirm(app: &TestApp, token: &str) -> TestResponse {
    let form = format!("token={token}&action=confirm");
    page(app, Method::POST, CONFIRM, Some(&form)).await
}

fn html(response: &TestResponse) -> String {
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let csp = response.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    String::from_utf8_lossy(&response.body).into_owned()
}

/// The token of the one confirmation link in the text part of `text`.
fn token_in(text: &str) -> String {
    let prefix = format!("http://roster.test{CONFIRM}?token=");
    let start = text
        .find(&prefix)
        .unwrap_or_else(|| panic!("no confirm link in {text}"))
        + prefix.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn unsubscribed_contact(app: &TestApp, address: &str) -> String {
    contact_with(app, address, "unsubscribed").await
}

async fn resubscribing_mails_one_confirmation_and_subscribes_only_on_confirm(app: TestApp) {
    let list = app.create_list("Newsletter").await;
    let other = app.create_list("Offers").await;
    let contact = unsubscribed_contact(&app, "jo@example.com").await;
    let before = counts(&app).await;
    assert_eq!(before["unsubscribed"], 1);
    assert_eq!(before["explicit"], 0);

    let response = app
        .put(
            &resubscribe_path(&contact),
            json!({"list_ids": [list, other]}),
        )
        .send()
        .await
        .expect(200);
    assert!(response.body.is_empty(), "200 with an empty body");

    // The lists are added at once; the contact stays unsubscribed, so no active count moves.
    let stored = app
        .get_json(&format!("/v3/contacts/{contact}?include=list_memberships"))
        .await;
    assert_eq!(
        stored["email_address"]["permission_to_send"],
        "unsubscribed"
    );
    assert_eq!(stored["list_memberships"], json!([list, other]));
    assert_eq!(counts(&app).await, before);
    assert_eq!(app.membership_count(&list, "active").await, 0);

    let report = app.mailer().drain().await.unwrap();
    assert_eq!(report.sent, 1);
    let received = app.sink().wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1, "exactly one mail");
    assert_eq!(received[0].rcpt_to, ["jo@example.com"]);
    let parsed = received[0].parsed();
    let text = parsed.body_text(0).expect("a text part").into_owned();
    let token = token_in(&text);
    assert!(token.len() >= 40, "a long random token: {token}");
    let unsubscribe = received[0]
        .header("List-Unsubscribe")
        .expect("List-Unsubscribe");
    assert_eq!(
        unsubscribe,
        format!("<http://roster.test{CONFIRM}?token={token}&action=decline>")
    );

    // Following the link only shows a form: a prefetching scanner changes nothing.
    let shown = page(&app, Method::GET, &format!("{CONFIRM}?token={token}"), None).await;
    assert_eq!(shown.status, 200);
    let body = html(&shown);
    assert!(body.contains("<form method=\"post\""), "{body}");
    assert!(body.contains(&format!("value=\"{token}\"")), "{body}");
    assert_eq!(counts(&app).await, before);

    let done = confirm(&app, &token).await;
    assert_eq!(done.status, 200);
    assert!(html(&done).contains("You are subscribed again"));

    let stored = app
        .get_json(&format!("/v3/contacts/{contact}?include=list_memberships"))
        .await;
    let email = &stored["email_address"];
    assert_eq!(email["permission_to_send"], "explicit");
    assert_eq!(email["opt_in_source"], "Contact");
    assert!(email["opt_in_date"].is_string());
    assert!(email.get("opt_out_date").is_none(), "{email}");
    assert_eq!(stored["list_memberships"], json!([list, other]));
    let after = counts(&app).await;
    assert_eq!(after["unsubscribed"], 0);
    assert_eq!(after["explicit"], 1);
    assert_eq!(after["total"], before["total"]);
    assert_eq!(app.membership_count(&list, "active").await, 1);
    assert_eq!(app.membership_count(&other, "active").await, 1);

    // The link is used up: confirming again changes nothing and says so.
    let again = page(&app, Method::POST, CONFIRM, Some(&format!("token={token}"))).await;
    assert_eq!(again.status, 410);
    html(&again);
    assert_eq!(counts(&app).await, after);
    assert_eq!(mails_sent(&app).await, 0, "no second mail");
}

async fn a_second_request_and_subscribed_contacts_answer_409(app: TestApp) {
    let list = app.create_list("Newsletter").await;
    let contact = unsubscribed_contact(&app, "jo@example.com").await;
    app.put(&resubscribe_path(&contact), json!({"list_ids": [list]}))
        .send()
        .await
        .expect(200);
    app.put(&resubscribe_path(&contact), json!({"list_ids": [list]}))
        .answers(
            409,
            &conflict("A resubscription email was already sent to this contact."),
            "second request",
        )
        .await;
    // The second node sees the same request (the rule lives in the database).
    let peer = app.start_peer().await;
    let from_peer = app
        .http
        .put(format!("{}{}", peer.base_url, resubscribe_path(&contact)))
        .bearer_auth(&app.owner.token)
        .json(&json!({"list_ids": [list]}))
        .send()
        .await
        .unwrap();
    assert_eq!(from_peer.status().as_u16(), 409);
    peer.stopper.stop().await;

    let subscribed = contact_with(&app, "sam@example.com", "explicit").await;
    app.put(&resubscribe_path(&subscribed), json!({"list_ids": [list]}))
        .answers(
            409,
            &conflict(
                "The contact can only be resubscribed when unsubscribed (its email permission is \
                 unsubscribed).",
            ),
            "subscribed contact",
        )
        .await;
    assert_eq!(mails_sent(&app).await, 1, "one mail in all");
}

async fn bad_bodies_and_unknown_contacts_are_refused(app: TestApp) {
    let list = app.create_list("Newsletter").await;
    let contact = unsubscribed_contact(&app, "jo@example.com").await;
    let stranger = uuid::Uuid::now_v7().to_string();
    let path = resubscribe_path(&contact);

    app.put(&path, json!({"list_ids": [list, stranger]}))
        .refused(
            &[&format!(
                "list_ids[1] {stranger} is not a contact list of this account."
            )],
            "unknown list",
        )
        .await;
    app.put(&path, json!({}))
        .refused(&["list_ids is required."], "missing")
        .await;
    app.put(&path, json!({"list_ids": []}))
        .refused(&["list_ids must name at least one contact list."], "empty")
        .await;
    let too_many: Vec<String> = (0..51).map(|_| list.clone()).collect();
    let response = app.put(&path, json!({"list_ids": too_many})).send().await;
    assert_eq!(response.status, 400);

    let unknown = uuid::Uuid::now_v7().to_string();
    app.put(&resubscribe_path(&unknown), json!({"list_ids": [list]}))
        .answers(
            404,
            &unknown_resource("contact", &unknown),
            "unknown contact",
        )
        .await;

    // Another account's contact is unknown to this one, even with lists of its own.
    let b = app.create_account("b@example.com").await;
    let b_list = app
        .post("/v3/contact_lists", json!({"name": "B's"}))
        .token(&b.token)
        .expect_json(201)
        .await["list_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.put(&path, json!({"list_ids": [b_list]}))
        .token(&b.token)
        .answers(
            404,
            &unknown_resource("contact", &contact),
            "another account's contact",
        )
        .await;
    let response = app
        .put(&path, json!({"list_ids": [list]}))
        .anonymous()
        .send()
        .await;
    assert_eq!(response.status, 401);

    // Nothing was asked: no mail, the contact untouched.
    assert_eq!(mails_sent(&app).await, 0);
    let stored = app
        .get_json(&format!("/v3/contacts/{contact}?include=list_memberships"))
        .await;
    let lists = stored.get("list_memberships").cloned().unwrap_or(json!([]));
    assert_eq!(lists, json!([]), "{stored}");
}

async fn unknown_and_declined_links_show_error_pages(app: TestApp) {
    for query in ["?token=not-a-token", ""] {
        let response = page(&app, Method::GET, &format!("{CONFIRM}{query}"), None).await;
        assert_eq!(response.status, 404, "GET {query}");
        assert!(html(&response).contains("not valid"));
        let response = page(
            &app,
            Method::POST,
            &format!("{CONFIRM}{query}"),
            Some("action=confirm"),
        )
        .await;
        assert_eq!(response.status, 404, "POST {query}");
        html(&response);
    }

    // The mail's unsubscribe link (an RFC 8058 one-click POST) declines: the contact stays
    // unsubscribed and the confirmation link stops working.
    let list = app.create_list("Newsletter").await;
    let contact = unsubscribed_contact(&app, "jo@example.com").await;
    app.put(&resubscribe_path(&contact), json!({"list_ids": [list]}))
        .send()
        .await
        .expect(200);
    app.mailer().drain().await.unwrap();
    let received = app.sink().wait_for(1, Duration::from_secs(10)).await;
    let token = token_in(&received[0].parsed().body_text(0).unwrap());
    let declined = page(
        &app,
        Method::POST,
        &format!("{CONFIRM}?token={token}&action=decline"),
        Some("List-Unsubscribe=One-Click"),
    )
    .await;
    assert_eq!(declined.status, 200);
    assert!(html(&declined).contains("You stay unsubscribed"));
    let confirmed = confirm(&app, &token).await;
    assert_eq!(confirmed.status, 410);
    let shown = page(&app, Method::GET, &format!("{CONFIRM}?token={token}"), None).await;
    assert_eq!(shown.status, 410);
    let stored = app.get_json(&format!("/v3/contacts/{contact}")).await;
    assert_eq!(
        stored["email_address"]["permission_to_send"],
        "unsubscribed"
    );
}
