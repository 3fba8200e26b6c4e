//! Confirmed Opt-In end to end: with the account setting off the sign-up form is unchanged;
//! with it on, a new contact is pending_confirmation and mailed one link (through the real
//! SMTP sink) whose page confirms only on POST, once; existing contacts keep their permission
//! until they confirm; contacts the account creates are unaffected.

use std::time::Duration;

use reqwest::Method;
use roster_tests::{on_both_engines_with_mail, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::contact_support::contact_with;

on_both_engines_with_mail!(
    without_the_setting_sign_ups_are_explicit_and_mail_nothing,
    under_the_setting_a_sign_up_is_pending_until_the_link_is_posted,
    forged_used_and_reused_links_show_the_404_page,
    existing_contacts_keep_their_permission_until_they_confirm,
);

const CONFIRM: &str = "/contacts/opt_in/confirm";
const SIGN_UP: &str = "/v3/contacts/sign_up_form";

async fn set_confirmed_opt_in(app: &TestApp, on: bool) {
    assert!(app
        .store()
        .set_confirmed_opt_in(app.owner.account, on)
        .await
        .unwrap());
}

/// Signs `address` up to the list `News` (created on first use); the contact's id.
async fn sign_up(app: &TestApp, address: &str, status: u16) -> String {
    let lists = app.get_json("/v3/contact_lists?name=News").await;
    let list = match lists["lists"][0]["list_id"].as_str() {
        Some(list) => list.to_string(),
        None => app.create_list("News").await,
    };
    let body = json!({"email_address": address, "first_name": "Jo", "list_memberships": [list]});
    let created = app.post(SIGN_UP, body).expect_json(status).await;
    created["contact_id"].as_str().unwrap().to_string()
}

async fn email_of(app: &TestApp, contact: &str) -> Value {
    app.get_json(&format!("/v3/contacts/{contact}")).await["email_address"].clone()
}

/// Delivers the queued mail now; how many messages were sent.
async fn mails_sent(app: &TestApp) -> u32 {
    app.mailer().drain().await.expect("the outbox drains").sent
}

async fn page(app: &TestApp, method: Method, path: &str, form: Option<String>) -> TestResponse {
    let mut request = app.request(method, path).anonymous();
    if let Some(form) = form {
        request = request.raw_body("application/x-www-form-urlencoded", form);
    }
    request.send_unchecked().await
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

/// The token of the confirmation link in the `index`th mail the sink received.
async fn token_in_mail(app: &TestApp, index: usize) -> String {
    let received = app
        .sink()
        .wait_for(index + 1, Duration::from_secs(10))
        .await;
    let parsed = received[index].parsed();
    let text = parsed.body_text(0).expect("a text part").into_owned();
    let prefix = format!("http://roster.test{CONFIRM}?token=");
    let start = text
        .find(&prefix)
        .unwrap_or_else(|| panic!("no confirmation link in {text}"))
        + prefix.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn post_confirm(app: &TestApp, token: &str) -> TestResponse {
    page(app, Method::POST, CONFIRM, Some(format!("token={token}"))).await
}

async fn without_the_setting_sign_ups_are_explicit_and_mail_nothing(app: TestApp) {
    let contact = sign_up(&app, "jo@example.com", 201).await;
    let email = email_of(&app, &contact).await;
    assert_eq!(email["permission_to_send"], "explicit");
    assert_eq!(email["opt_in_source"], "Contact");
    assert_eq!(mails_sent(&app).await, 0);
}

async fn under_the_setting_a_sign_up_is_pending_until_the_link_is_posted(app: TestApp) {
    set_confirmed_opt_in(&app, true).await;
    let contact = sign_up(&app, "jo@example.com", 201).await;
    let email = email_of(&app, &contact).await;
    assert_eq!(email["permission_to_send"], "pending_confirmation");
    assert_eq!(email["confirm_status"], "pending");
    let counts = app.get_json("/v3/contacts/counts").await;
    assert_eq!(counts["pending"], 1);
    assert_eq!(counts["explicit"], 0);

    assert_eq!(mails_sent(&app).await, 1);
    let received = app.sink().wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received[0].rcpt_to, ["jo@example.com"]);
    let token = token_in_mail(&app, 0).await;
    assert!(token.len() >= 40, "a long random token: {token}");

    // Submitting the form again right away mails nothing more (the link is still fresh).
    sign_up(&app, "jo@example.com", 200).await;
    assert_eq!(mails_sent(&app).await, 0, "no second mail within the hour");

    // Opening the link only shows a form: a prefetching scanner confirms nothing.
    let shown = page(&app, Method::GET, &format!("{CONFIRM}?token={token}"), None).await;
    assert_eq!(shown.status, 200);
    let body = html(&shown);
    assert!(body.contains("<form method=\"post\""), "{body}");
    assert!(body.contains("jo@example.com"), "{body}");
    assert!(body.contains(&format!("value=\"{token}\"")), "{body}");
    let email = email_of(&app, &contact).await;
    assert_eq!(email["permission_to_send"], "pending_confirmation");

    let done = post_confirm(&app, &token).await;
    assert_eq!(done.status, 200);
    assert!(html(&done).contains("your subscription is confirmed"));
    let email = email_of(&app, &contact).await;
    assert_eq!(email["permission_to_send"], "explicit");
    assert_eq!(email["opt_in_source"], "Contact");
    assert_eq!(email["confirm_status"], "confirmed");
    assert!(email["opt_in_date"].is_string(), "{email}");
    let counts = app.get_json("/v3/contacts/counts").await;
    assert_eq!(counts["pending"], 0);
    assert_eq!(counts["explicit"], 1);

    // Contacts the account creates are unaffected by the setting.
    let created = app
        .create_contact(json!({"email_address": {"address": "sam@example.com"}}))
        .await;
    assert_eq!(
        created["email_address"]["permission_to_send"], "implicit",
        "{created}"
    );
    assert_eq!(mails_sent(&app).await, 0);
}

async fn forged_used_and_reused_links_show_the_404_page(app: TestApp) {
    set_confirmed_opt_in(&app, true).await;
    let contact = sign_up(&app, "jo@example.com", 201).await;
    assert_eq!(mails_sent(&app).await, 1);
    let token = token_in_mail(&app, 0).await;

    for forged in ["", "abc", &format!("{token}x"), &token[1..]] {
        let shown = page(
            &app,
            Method::GET,
            &format!("{CONFIRM}?token={forged}"),
            None,
        )
        .await;
        assert_eq!(shown.status, 404, "{forged}");
        html(&shown);
        let posted = post_confirm(&app, forged).await;
        assert_eq!(posted.status, 404, "{forged}");
    }
    let unchanged = email_of(&app, &contact).await;
    assert_eq!(unchanged["permission_to_send"], "pending_confirmation");

    assert_eq!(post_confirm(&app, &token).await.status, 200);
    let confirmed = email_of(&app, &contact).await;
    // A used link is dead, on GET and on POST, and changes nothing.
    let again = post_confirm(&app, &token).await;
    assert_eq!(again.status, 404);
    html(&again);
    let shown = page(&app, Method::GET, &format!("{CONFIRM}?token={token}"), None).await;
    assert_eq!(shown.status, 404);
    assert_eq!(email_of(&app, &contact).await, confirmed);
}

async fn existing_contacts_keep_their_permission_until_they_confirm(app: TestApp) {
    let explicit = contact_with(&app, "ex@example.com", "explicit").await;
    let unsubscribed = contact_with(&app, "un@example.com", "unsubscribed").await;
    let list = app.create_list("Offers").await;
    set_confirmed_opt_in(&app, true).await;

    // An explicit contact stays explicit and gets no mail.
    app.post(
        SIGN_UP,
        json!({"email_address": "ex@example.com", "list_memberships": [list]}),
    )
    .expect_json(200)
    .await;
    assert_eq!(
        email_of(&app, &explicit).await["permission_to_send"],
        "explicit"
    );
    assert_eq!(mails_sent(&app).await, 0);

    // An unsubscribed one stays unsubscribed (the lists are added) until it confirms.
    app.post(
        SIGN_UP,
        json!({"email_address": "un@example.com", "list_memberships": [list]}),
    )
    .expect_json(200)
    .await;
    let stored = app
        .get_json(&format!(
            "/v3/contacts/{unsubscribed}?include=list_memberships"
        ))
        .await;
    assert_eq!(
        stored["email_address"]["permission_to_send"],
        "unsubscribed"
    );
    assert_eq!(stored["list_memberships"], json!([list]));
    assert_eq!(mails_sent(&app).await, 1);
    let received = app.sink().wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received[0].rcpt_to, ["un@example.com"]);
    let token = token_in_mail(&app, 0).await;
    assert_eq!(post_confirm(&app, &token).await.status, 200);
    let email = email_of(&app, &unsubscribed).await;
    assert_eq!(email["permission_to_send"], "explicit");
    assert_eq!(email["opt_in_source"], "Contact");
    assert!(email.get("opt_out_date").is_none(), "{email}");

    // Turning the setting off restores the old behaviour.
    set_confirmed_opt_in(&app, false).await;
    let later = sign_up(&app, "new@example.com", 201).await;
    assert_eq!(
        email_of(&app, &later).await["permission_to_send"],
        "explicit"
    );
    assert_eq!(mails_sent(&app).await, 0);
}
