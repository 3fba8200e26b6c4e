//! Rate limits per client id, as Constant Contact applies them: a per-second rate and a daily
//! quota shared by every node through the database. The harness turns them off; these tests
//! turn them on.

use roster_http::{RateLimitSettings, ServerConfig};
use roster_tests::{on_both_engines_with, TestApp};
use serde_json::json;

fn limits(config: &mut ServerConfig) {
    config.rate_limit = Some(RateLimitSettings {
        per_second: 4,
        per_day: 10,
        flush_interval: std::time::Duration::from_secs(3600),
    });
}

on_both_engines_with!(limits; per_second_rate_throttles, daily_quota_is_shared_by_every_node);

async fn status_of(app: &TestApp, base_url: &str, token: &str) -> (u16, serde_json::Value) {
    let response = app
        .http
        .get(format!("{base_url}/v3/account/user/privileges"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn per_second_rate_throttles(app: TestApp) {
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(status_of(&app, &app.base_url, &app.owner.token).await);
    }
    assert!(statuses[..4].iter().all(|(s, _)| *s == 200), "{statuses:?}");
    let throttled = statuses.iter().find(|(s, _)| *s == 429).expect("a 429");
    assert_eq!(
        throttled.1,
        json!({"error_key": "throttled", "error_message": "Too Many Requests"})
    );
    // Another client id has its own budget.
    let other = app.create_account("other@example.com").await;
    assert_eq!(status_of(&app, &app.base_url, &other.token).await.0, 200);
    // A second later the bucket has refilled.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        status_of(&app, &app.base_url, &app.owner.token).await.0,
        200
    );
}

async fn daily_quota_is_shared_by_every_node(app: TestApp) {
    let peer = app.start_peer().await;
    // Six requests here (spaced under the per-second rate), flushed to the shared total.
    for i in 0..6 {
        if i == 4 {
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        }
        assert_eq!(
            status_of(&app, &app.base_url, &app.owner.token).await.0,
            200
        );
    }
    app.state.rate_limits.as_ref().unwrap().flush().await;
    // The peer learns the total at its own flush, then allows only the remaining four.
    assert_eq!(
        status_of(&app, &peer.base_url, &app.owner.token).await.0,
        200
    );
    peer.state.rate_limits.as_ref().unwrap().flush().await;
    let mut statuses = Vec::new();
    for i in 0..4 {
        if i == 3 {
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        }
        statuses.push(status_of(&app, &peer.base_url, &app.owner.token).await);
    }
    assert!(statuses[..3].iter().all(|(s, _)| *s == 200), "{statuses:?}");
    assert_eq!(statuses[3].0, 429, "{statuses:?}");
    assert_eq!(
        statuses[3].1,
        json!({"error_key": "quota_exceeded", "error_message": "Limit Exceeded"})
    );
    peer.stopper.stop().await;
}
