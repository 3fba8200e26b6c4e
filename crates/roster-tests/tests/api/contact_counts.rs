//! The maintained counts against the truth: a seeded random sequence of creates, PUTs (changing
//! permission, lists and tags), deletes, revivals and sign-ups through HTTP, then every
//! maintained count compared with what walking every contact shows.

use std::collections::{BTreeMap, BTreeSet};

use roster_tests::{on_both_engines, TestApp};
use serde_json::{json, Value};

use crate::contact_support::{
    contacts_count, id, lists_with_counts, membership_count_in, walk, PERMISSIONS,
};

on_both_engines!(maintained_counts_match_a_walk_after_random_changes);

/// SplitMix64: a tiny deterministic generator, so a failure replays with the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A random subset of at most `max` items.
    fn subset(&mut self, items: &[String], max: usize) -> Vec<String> {
        let n = self.below(max + 1);
        let mut chosen: Vec<String> = Vec::new();
        for _ in 0..n {
            let item = self.pick(items).clone();
            if !chosen.contains(&item) {
                chosen.push(item);
            }
        }
        chosen
    }
}

const STATUS_FILTERS: [&str; 9] = [
    "all",
    "active",
    "deleted",
    "not_set",
    "pending_confirmation",
    "temp_hold",
    "unsubscribed",
    "unsubscribed,deleted",
    "(default)",
];

async fn maintained_counts_match_a_walk_after_random_changes(app: TestApp) {
    let seed = std::env::var("ROSTER_COUNTS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_2024_u64);
    let mut rng = Rng(seed);
    let mut lists = Vec::new();
    for n in 0..5 {
        lists.push(app.create_list(&format!("L{n}")).await);
    }
    let mut tags = Vec::new();
    for n in 0..4 {
        tags.push(app.create_tag(&format!("T{n}")).await);
    }
    // What the test knows: contact id → (address, deleted).
    let mut contacts: Vec<(String, String, bool)> = Vec::new();
    let mut next_address = 0;
    for step in 0..200 {
        let what = if contacts.is_empty() { 0 } else { rng.below(6) };
        match what {
            0 => {
                next_address += 1;
                let address = format!("c{next_address}@example.com");
                let body = json!({
                    "email_address": {"address": address, "permission_to_send": rng.pick(&PERMISSIONS)},
                    "create_source": if rng.below(2) == 0 { "Account" } else { "Contact" },
                    "list_memberships": rng.subset(&lists, 3),
                    "taggings": rng.subset(&tags, 3),
                });
                let created = app.create("/v3/contacts", body).await;
                contacts.push((id(&created, "contact_id"), address, false));
            }
            1 | 2 => {
                let index = rng.below(contacts.len());
                let (contact, address, deleted) = contacts[index].clone();
                let source = if deleted || rng.below(2) == 0 {
                    "Account"
                } else {
                    "Contact"
                };
                let mut body = json!({
                    "email_address": {"address": address, "permission_to_send": rng.pick(&PERMISSIONS)},
                    "update_source": source,
                });
                if rng.below(3) > 0 {
                    body["list_memberships"] = json!(rng.subset(&lists, 4));
                }
                if rng.below(3) > 0 {
                    body["taggings"] = json!(rng.subset(&tags, 4));
                }
                app.put(&format!("/v3/contacts/{contact}"), body)
                    .send()
                    .await
                    .expect(200);
                contacts[index].2 = false;
            }
            3 => {
                let index = rng.below(contacts.len());
                let contact = contacts[index].0.clone();
                app.delete(&format!("/v3/contacts/{contact}"))
                    .send()
                    .await
                    .expect(204);
                contacts[index].2 = true;
            }
            4 => {
                // Revive a deleted contact with an Account PUT that sends no sub-resource.
                let Some(index) = contacts.iter().position(|c| c.2) else {
                    continue;
                };
                let contact = contacts[index].0.clone();
                app.put(
                    &format!("/v3/contacts/{contact}"),
                    json!({"first_name": format!("revived {step}"), "update_source": "Account"}),
                )
                .send()
                .await
                .expect(200);
                contacts[index].2 = false;
            }
            _ => {
                // A sign-up: half the time for a known address (perhaps deleted), else new.
                let known = rng.below(2) == 0;
                let address = if known {
                    rng.pick(&contacts).1.clone()
                } else {
                    next_address += 1;
                    format!("c{next_address}@example.com")
                };
                let mut form_lists = rng.subset(&lists, 2);
                if form_lists.is_empty() {
                    form_lists.push(lists[0].clone());
                }
                let response = app
                    .post(
                        "/v3/contacts/sign_up_form",
                        json!({"email_address": address, "list_memberships": form_lists}),
                    )
                    .send()
                    .await;
                let body = response.json();
                match (known, response.status) {
                    (true, 200) => {
                        let index = contacts.iter().position(|c| c.1 == address).unwrap();
                        contacts[index].2 = false;
                    }
                    (false, 201) => contacts.push((id(&body, "contact_id"), address, false)),
                    (_, status) => panic!("sign-up answered {status}: {body}"),
                }
            }
        }
    }
    assert_counts_match_the_truth(&app, &lists, &tags, contacts.len()).await;
}

struct Truth {
    buckets: BTreeMap<String, i64>,
    list_all: BTreeMap<String, i64>,
    list_active: BTreeMap<String, i64>,
    tagged: BTreeMap<String, i64>,
}

fn bucket_of(contact: &Value) -> String {
    if contact.get("deleted_at").is_some() {
        return "deleted".into();
    }
    contact["email_address"]["permission_to_send"]
        .as_str()
        .unwrap_or("not_set")
        .to_string()
}

async fn truth(app: &TestApp) -> (Truth, usize) {
    let (contacts, _) = walk(
        app,
        "/v3/contacts?status=all&include=list_memberships,taggings&limit=37",
        "contacts",
    )
    .await;
    let mut truth = Truth {
        buckets: BTreeMap::new(),
        list_all: BTreeMap::new(),
        list_active: BTreeMap::new(),
        tagged: BTreeMap::new(),
    };
    let mut seen = BTreeSet::new();
    for contact in &contacts {
        assert!(
            seen.insert(id(contact, "contact_id")),
            "a contact was walked twice"
        );
        let bucket = bucket_of(contact);
        *truth.buckets.entry(bucket.clone()).or_default() += 1;
        if bucket == "deleted" {
            continue;
        }
        let active = bucket == "explicit" || bucket == "implicit";
        for list in contact["list_memberships"].as_array().unwrap() {
            let list = list.as_str().unwrap().to_string();
            *truth.list_all.entry(list.clone()).or_default() += 1;
            *truth.list_active.entry(list).or_default() += i64::from(active);
        }
        for tag in contact["taggings"].as_array().unwrap() {
            *truth
                .tagged
                .entry(tag.as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    (truth, contacts.len())
}

async fn assert_counts_match_the_truth(
    app: &TestApp,
    lists: &[String],
    tags: &[String],
    known: usize,
) {
    let (truth, walked) = truth(app).await;
    assert_eq!(walked, known, "every contact the test made is walked");
    let bucket = |name: &str| truth.buckets.get(name).copied().unwrap_or(0);
    let not_deleted: i64 = PERMISSIONS.iter().map(|p| bucket(p)).sum();
    assert!(
        bucket("deleted") > 0 && not_deleted > 0,
        "the sequence covers both"
    );

    let counts = app.get_json("/v3/contacts/counts").await;
    assert_eq!(
        counts,
        json!({
            "total": not_deleted,
            "explicit": bucket("explicit"),
            "implicit": bucket("implicit"),
            "pending": bucket("pending_confirmation"),
            "unsubscribed": bucket("unsubscribed"),
        })
    );
    for status in STATUS_FILTERS {
        let (query, expected) = match status {
            "all" => ("status=all".to_string(), not_deleted + bucket("deleted")),
            "active" => (
                "status=active".to_string(),
                bucket("explicit") + bucket("implicit"),
            ),
            "unsubscribed,deleted" => (
                format!("status={status}"),
                bucket("unsubscribed") + bucket("deleted"),
            ),
            "(default)" => (String::new(), not_deleted),
            other => (format!("status={other}"), bucket(other)),
        };
        assert_eq!(contacts_count(app, &query).await, expected, "{query}");
    }

    let (all, active) = lists_with_counts(app).await;
    for list in lists {
        let expected_all = truth.list_all.get(list).copied().unwrap_or(0);
        let expected_active = truth.list_active.get(list).copied().unwrap_or(0);
        assert_eq!(
            membership_count_in(&all, list),
            expected_all,
            "list {list} all"
        );
        assert_eq!(
            membership_count_in(&active, list),
            expected_active,
            "list {list} active"
        );
        assert_eq!(app.membership_count(list, "active").await, expected_active);
        assert_eq!(
            contacts_count(app, &format!("lists={list}")).await,
            expected_all,
            "include_count of lists={list}"
        );
        assert_eq!(
            contacts_count(app, &format!("lists={list}&status=active")).await,
            expected_active,
            "include_count of lists={list}&status=active"
        );
    }
    let tag_page = app.get_json("/v3/contact_tags?include_count=true").await;
    for tag in tags {
        let expected = truth.tagged.get(tag).copied().unwrap_or(0);
        let maintained = tag_page["tags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tag_id"] == tag.as_str())
            .and_then(|t| t["contacts_count"].as_i64())
            .expect("a contacts_count");
        assert_eq!(maintained, expected, "tag {tag}");
        assert_eq!(
            contacts_count(app, &format!("tags={tag}")).await,
            expected,
            "include_count of tags={tag}"
        );
    }
    // A filter the counts do not maintain is counted on demand and agrees with the walk.
    let two = format!("lists={},{}", lists[0], lists[1]);
    let (members, _) = walk(app, &format!("/v3/contacts?{two}&limit=50"), "contacts").await;
    assert_eq!(contacts_count(app, &two).await, members.len() as i64);
}
