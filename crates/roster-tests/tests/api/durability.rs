//! Durability (issue 9): every write answered 2xx survives a crash, and no write is ever
//! half-applied. A `roster serve` process is SIGKILLed during a stream of concurrent creates
//! and updates, then restarted on the same database; on PostgreSQL (a private cluster, never
//! the shared one) the database itself is also stopped with `pg_ctl stop -m immediate`
//! mid-stream and started again while the server keeps running.
//!
//! Each contact is created with two list memberships and a custom-field value, so one write
//! touches the contact row, the membership rows, the field-value row and the lists' maintained
//! counts; each update changes the name, the value and the memberships together. After the
//! crash a contact must show exactly the last version answered 2xx, or the one version that was
//! in flight (sent, never answered), whole; a create never answered is absent or whole; and
//! every list's member count equals its members.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use roster_tests::postgres_cluster::PostgresCluster;
use roster_tests::serve::ServeProcess;
use roster_tests::{Engine, TestApp};
use serde_json::{json, Value};

use crate::support::id_of;

const ROSTER: &str = env!("CARGO_BIN_EXE_roster-under-test");
/// Concurrent writers, each with its own contacts.
const WRITERS: usize = 8;
/// Writes answered 2xx before the crash is caused (the stream is then in full flow).
const ACKNOWLEDGED_BEFORE_CRASH: usize = 80;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_every_acknowledged_write_through_a_killed_server() {
    roster_tests::run(Engine::Sqlite, |app| async move {
        kill_the_server_mid_stream(&app, "kill").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_write_through_a_killed_server_and_database() {
    let Some(cluster) = tokio::task::spawn_blocking(PostgresCluster::start)
        .await
        .expect("the cluster starts or is skipped")
    else {
        return;
    };
    let url = cluster.url();
    let cluster = Arc::new(cluster);
    let database = cluster.clone();
    roster_tests::run_at(Engine::Postgres, &url, |app| async move {
        kill_the_server_mid_stream(&app, "kill").await;
        stop_the_database_mid_stream(&app, &database, "pgstop").await;
    })
    .await;
}

/// What one phase writes with: its lists and the custom field, created before the stream.
struct Fixture {
    lists: [String; 2],
    field: String,
    /// In every address of the phase, so contacts of other phases are told apart.
    tag: String,
    token: String,
}

impl Fixture {
    async fn create(app: &TestApp, phase: &str) -> Fixture {
        let tag = format!("{phase}{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let lists = [
            app.create_list(&format!("{tag} list 0")).await,
            app.create_list(&format!("{tag} list 1")).await,
        ];
        let field = id_of(&app.create_string_field(&format!("{tag} field")).await);
        Fixture {
            lists,
            field,
            tag,
            token: app.owner.token.clone(),
        }
    }
}

/// One version of a contact's content, as a write sends it and a read shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    first_name: String,
    field_value: String,
    lists: BTreeSet<String>,
}

impl Version {
    /// Version `n`: both lists, then the first, then the second, in turn.
    fn number(n: usize, fixture: &Fixture) -> Version {
        let lists = match n % 3 {
            0 => vec![fixture.lists[0].clone(), fixture.lists[1].clone()],
            1 => vec![fixture.lists[0].clone()],
            _ => vec![fixture.lists[1].clone()],
        };
        Version {
            first_name: format!("v{n}"),
            field_value: format!("value {n}"),
            lists: lists.into_iter().collect(),
        }
    }

    fn body(&self, email: &str, fixture: &Fixture, source: (&str, &str)) -> Value {
        json!({
            "email_address": {"address": email, "permission_to_send": "implicit"},
            "first_name": self.first_name,
            "last_name": "Durable",
            source.0: source.1,
            "custom_fields": [{"custom_field_id": fixture.field, "value": self.field_value}],
            "list_memberships": self.lists.iter().collect::<Vec<_>>(),
        })
    }

    /// The version a contact read with `include=custom_fields,list_memberships` shows.
    fn read(contact: &Value, fixture: &Fixture) -> Version {
        let values: Vec<&str> = contact["custom_fields"]
            .as_array()
            .map(|fields| {
                fields
                    .iter()
                    .filter(|f| f["custom_field_id"] == fixture.field.as_str())
                    .filter_map(|f| f["value"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        Version {
            first_name: contact["first_name"].as_str().unwrap_or("").to_string(),
            // Absent, or more than one: neither matches any version, which the check reports.
            field_value: match values.as_slice() {
                [one] => one.to_string(),
                other => format!("{other:?}"),
            },
            lists: contact["list_memberships"]
                .as_array()
                .map(|ids| {
                    ids.iter()
                        .filter_map(|id| id.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// What the client knows about one contact when the stream ends.
#[derive(Debug)]
struct Tracked {
    email: String,
    /// Known once its create was answered 201.
    id: Option<String>,
    /// The last version answered 2xx.
    acknowledged: Option<Version>,
    /// A version sent and never answered 2xx (cut by the crash): applied whole or not at all.
    in_flight: Option<Version>,
}

#[derive(Default)]
struct StreamReport {
    contacts: Vec<Tracked>,
    acknowledged_writes: usize,
}

/// One writer: creates contacts and updates its own in turn until a write is not answered
/// 2xx (the crash), which it records as in flight and stops.
async fn writer(
    http: reqwest::Client,
    base_url: String,
    fixture: Arc<Fixture>,
    number: usize,
    acknowledged: Arc<AtomicUsize>,
) -> Vec<Tracked> {
    let mut own: Vec<Tracked> = Vec::new();
    for step in 0.. {
        let create = own.len() < 3 || step % 2 == 0;
        if create {
            let email = format!("w{number}-{step}@{}.durable.example", fixture.tag);
            let version = Version::number(0, &fixture);
            let answer = http
                .post(format!("{base_url}/v3/contacts"))
                .bearer_auth(&fixture.token)
                .json(&version.body(&email, &fixture, ("create_source", "Account")))
                .send()
                .await;
            let created = match answer {
                Ok(response) if response.status().as_u16() == 201 => {
                    response.json::<Value>().await.ok()
                }
                _ => None,
            };
            match created {
                Some(body) => {
                    own.push(Tracked {
                        email,
                        id: body["contact_id"].as_str().map(String::from),
                        acknowledged: Some(version),
                        in_flight: None,
                    });
                    acknowledged.fetch_add(1, Ordering::SeqCst);
                }
                None => {
                    own.push(Tracked {
                        email,
                        id: None,
                        acknowledged: None,
                        in_flight: Some(version),
                    });
                    return own;
                }
            }
        } else {
            let index = step % own.len();
            let contact = &mut own[index];
            let version = Version::number(step, &fixture);
            let id = contact
                .id
                .clone()
                .expect("only answered creates are updated");
            let answer = http
                .put(format!("{base_url}/v3/contacts/{id}"))
                .bearer_auth(&fixture.token)
                .json(&version.body(&contact.email, &fixture, ("update_source", "Account")))
                .send()
                .await;
            match answer {
                Ok(response) if response.status().as_u16() == 200 => {
                    contact.acknowledged = Some(version);
                    acknowledged.fetch_add(1, Ordering::SeqCst);
                }
                _ => {
                    contact.in_flight = Some(version);
                    return own;
                }
            }
        }
    }
    unreachable!("a writer stops at its first unanswered write")
}

/// Streams writes to `base_url` from every writer; once `ACKNOWLEDGED_BEFORE_CRASH` are
/// answered, runs `crash` (while the writers keep writing) and waits for every writer to stop.
async fn stream_then_crash(
    base_url: &str,
    fixture: &Arc<Fixture>,
    crash: impl FnOnce(),
) -> StreamReport {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a client");
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|number| {
            tokio::spawn(writer(
                http.clone(),
                base_url.to_string(),
                fixture.clone(),
                number,
                acknowledged.clone(),
            ))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while acknowledged.load(Ordering::SeqCst) < ACKNOWLEDGED_BEFORE_CRASH {
        assert!(
            Instant::now() < deadline,
            "only {} writes were answered in 120 s",
            acknowledged.load(Ordering::SeqCst)
        );
        assert!(
            writers.iter().all(|w| !w.is_finished()),
            "a writer stopped before the crash"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::task::block_in_place(crash);
    let mut report = StreamReport::default();
    for writer in writers {
        report.contacts.extend(writer.await.expect("a writer ends"));
    }
    report.acknowledged_writes = acknowledged.load(Ordering::SeqCst);
    report
}

async fn get_json(base_url: &str, token: &str, path: &str) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{base_url}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status().as_u16(), 200, "GET {path}");
    response.json().await.expect("a JSON body")
}

/// Checks what survived against what the client knows, reading through `base_url`.
async fn verify(base_url: &str, fixture: &Fixture, report: &StreamReport) {
    // Every contact of this phase, with the sub-resources one write touches.
    let mut stored: HashMap<String, (String, Version)> = HashMap::new();
    let mut path =
        "/v3/contacts?limit=500&status=all&include=custom_fields,list_memberships".to_string();
    loop {
        let page = get_json(base_url, &fixture.token, &path).await;
        for contact in page["contacts"].as_array().expect("a contacts array") {
            let email = contact["email_address"]["address"].as_str().unwrap();
            if email.ends_with(&format!("@{}.durable.example", fixture.tag)) {
                stored.insert(
                    email.to_string(),
                    (
                        contact["contact_id"].as_str().unwrap().to_string(),
                        Version::read(contact, fixture),
                    ),
                );
            }
        }
        match page["_links"]["next"]["href"].as_str() {
            Some(next) => path = next.to_string(),
            None => break,
        }
    }

    let mut in_flight_applied = 0;
    for tracked in &report.contacts {
        let found = stored.get(&tracked.email);
        match (&tracked.acknowledged, found) {
            (Some(_), None) => panic!(
                "{} was created with a 201 and is gone after the crash",
                tracked.email
            ),
            (None, None) => {}
            (_, Some((id, shown))) => {
                if let Some(known) = &tracked.id {
                    assert_eq!(id, known, "{} changed id", tracked.email);
                }
                let allowed: Vec<&Version> = tracked
                    .acknowledged
                    .iter()
                    .chain(tracked.in_flight.iter())
                    .collect();
                assert!(
                    allowed.contains(&shown),
                    "{} shows {shown:?}, which is neither its last acknowledged version nor \
                     its in-flight one, whole: {allowed:?}",
                    tracked.email
                );
                if tracked.acknowledged.as_ref() != Some(shown) {
                    in_flight_applied += 1;
                }
            }
        }
    }
    let known: BTreeSet<&str> = report.contacts.iter().map(|t| t.email.as_str()).collect();
    for email in stored.keys() {
        assert!(known.contains(email.as_str()), "{email} was never sent");
    }

    // The lists' maintained counts equal their members.
    for list in &fixture.lists {
        let members = stored
            .values()
            .filter(|(_, v)| v.lists.contains(list))
            .count();
        let shown = get_json(
            base_url,
            &fixture.token,
            &format!("/v3/contact_lists/{list}?include_membership_count=all"),
        )
        .await;
        assert_eq!(
            shown["membership_count"].as_u64(),
            Some(members as u64),
            "list {list}'s count after the crash"
        );
    }
    let in_flight = report
        .contacts
        .iter()
        .filter(|t| t.in_flight.is_some())
        .count();
    eprintln!(
        "durability: {} writes answered 2xx, {} contacts, {} writes cut by the crash ({} of them applied whole), all checked",
        report.acknowledged_writes,
        stored.len(),
        in_flight,
        in_flight_applied
    );
    assert!(report.acknowledged_writes >= ACKNOWLEDGED_BEFORE_CRASH);
}

/// SIGKILL `roster serve` mid-stream, start a new one on the same database, check.
async fn kill_the_server_mid_stream(app: &TestApp, phase: &str) {
    let fixture = Arc::new(Fixture::create(app, phase).await);
    let server = ServeProcess::start(ROSTER, &app.database_url, &[]).await;
    let base_url = server.base_url.clone();
    let report = stream_then_crash(&base_url, &fixture, || server.kill()).await;
    let restarted = ServeProcess::start(ROSTER, &app.database_url, &[]).await;
    verify(&restarted.base_url, &fixture, &report).await;
    restarted.kill();
}

/// `pg_ctl stop -m immediate` mid-stream, start the cluster again, let the same server
/// reconnect, check, and write once more.
async fn stop_the_database_mid_stream(app: &TestApp, cluster: &PostgresCluster, phase: &str) {
    let fixture = Arc::new(Fixture::create(app, phase).await);
    let server = ServeProcess::start(ROSTER, &app.database_url, &[]).await;
    let report = stream_then_crash(&server.base_url, &fixture, || cluster.stop_immediately()).await;
    tokio::task::block_in_place(|| cluster.start_again());

    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answer = http
            .get(format!("{}/v3/contacts?limit=1", server.base_url))
            .bearer_auth(&fixture.token)
            .send()
            .await;
        if answer.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not reconnect to the restarted database within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    verify(&server.base_url, &fixture, &report).await;

    let after = http
        .post(format!("{}/v3/contacts", server.base_url))
        .bearer_auth(&fixture.token)
        .json(&Version::number(0, &fixture).body(
            &format!("after@{}.durable.example", fixture.tag),
            &fixture,
            ("create_source", "Account"),
        ))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(after.status().as_u16(), 201, "a write after recovery");
    server.kill();
}
