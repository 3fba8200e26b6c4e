//! The data set, generated deterministically from a seed: contacts with email, names, company,
//! job title and three custom-field values; list L1 holds a tenth of them and L2 half; ten tags
//! spread evenly; `updated_at` spread evenly over the last 365 days.
//!
//! Contacts are generated batch by batch (a million of them would not fit in memory as
//! `Contact` values) and loaded through `Store::insert_contacts_bulk`.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, RngCore, SeedableRng};
use roster_domain::account::{ClientApp, NewAccount};
use roster_domain::contact::{
    ConfirmStatus, Contact, CustomValue, EmailChannel, Permission, Source,
};
use roster_domain::contact_list::{ContactList, ListInput};
use roster_domain::custom_field::{CustomField, CustomFieldDraft, CustomFieldType};
use roster_domain::tag::Tag;
use roster_domain::{
    AccountId, ContactId, CustomFieldId, EmailAddress, ListId, Store, TagId, Timestamp, UserId,
};

pub const SEED: u64 = 0x5eed_0f20_57e2;
pub const DAY_MILLIS: i64 = 24 * 3600 * 1000;
const SPAN_MILLIS: i64 = 365 * DAY_MILLIS;
/// Contacts per `insert_contacts_bulk` call.
pub const BATCH: usize = 5_000;
/// How many contact ids the HTTP scenarios spread their requests over.
const SAMPLE_IDS: usize = 10_000;

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Barbara", "Carl", "Dana", "Edsger", "Frances", "Grace", "Hedy", "Ivan", "Jean",
    "Ken", "Linus", "Margaret", "Niklaus", "Olga", "Peter", "Radia", "Sophie", "Tim",
];
const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Turing",
    "Liskov",
    "Sagan",
    "Scott",
    "Dijkstra",
    "Allen",
    "Hopper",
    "Lamarr",
    "Sutherland",
    "Sammet",
    "Thompson",
    "Torvalds",
    "Hamilton",
    "Wirth",
    "Ladyzhenskaya",
    "Naur",
    "Perlman",
    "Wilson",
    "Berners-Lee",
];
const COMPANIES: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
];
const JOB_TITLES: &[&str] = &[
    "Engineer",
    "Manager",
    "Director",
    "Analyst",
    "Designer",
    "Consultant",
    "Founder",
    "Accountant",
];

/// What the scenarios need to know about the loaded data set.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub account: AccountId,
    pub user: UserId,
    pub client_id: String,
    pub contacts: usize,
    pub l1: ListId,
    pub l2: ListId,
    pub l1_members: usize,
    pub l2_members: usize,
    /// Contact ids spread over the whole data set, for GET /contacts/{id}.
    pub sample_ids: Vec<ContactId>,
    /// The instant the data set's "last 365 days" end at.
    pub now: Timestamp,
    /// Wall time of the bulk load (contacts only, not the set-up).
    pub load_time: Duration,
    /// The account's lists, tags and custom fields.
    pub setup: AccountSetup,
}

/// An account of the data set's shape: its owner, app, lists L1 and L2, ten tags and three
/// custom fields (Tier, Score, Region).
#[derive(Debug, Clone)]
pub struct AccountSetup {
    pub account: AccountId,
    pub user: UserId,
    pub client_id: String,
    pub lists: [ListId; 2],
    pub tags: Vec<TagId>,
    pub fields: [CustomFieldId; 3],
    /// The fields' names, as imports and exports spell them after `cf:`.
    pub field_names: [String; 3],
}

/// Creates the account, its app, lists, tags and custom fields.
pub async fn setup_account(store: &dyn Store, owner_email: &str) -> anyhow::Result<AccountSetup> {
    let (account, user) = store
        .create_account(NewAccount {
            owner_email: EmailAddress::parse(owner_email)?,
            // Nobody signs in: the harness mints its token in-process.
            owner_password_hash: "not-a-password-hash".into(),
            first_name: Some("Bench".into()),
            last_name: Some("Owner".into()),
            organization_name: Some("Roster benchmark".into()),
            physical_address: None,
        })
        .await?;
    let client_id = uuid::Uuid::new_v4().to_string();
    store
        .create_client(&ClientApp {
            client_id: client_id.clone(),
            secret_sha256: None,
            name: "roster-bench".into(),
            redirect_uris: vec!["http://localhost/callback".into()],
            created_at: Timestamp::now(),
        })
        .await?;
    let created = Timestamp::now();
    let mut lists = Vec::new();
    for name in ["L1", "L2"] {
        lists.push(create_list(store, account.id, name).await?);
    }
    let mut tags = Vec::new();
    for n in 0..10 {
        let tag = Tag::create(format!("T{n}"), None, created);
        store.create_tag(account.id, &tag).await?;
        tags.push(tag.id);
    }
    let mut fields = Vec::new();
    for label in ["Tier", "Score", "Region"] {
        let field = CustomField::create(
            CustomFieldDraft {
                label: label.into(),
                field_type: CustomFieldType::String,
                metadata: None,
                version: None,
                choices: None,
            },
            created,
        )
        .map_err(|errors| anyhow::anyhow!("custom field {label}: {errors:?}"))?;
        store.create_custom_field(account.id, &field, 100).await?;
        fields.push(field);
    }
    Ok(AccountSetup {
        account: account.id,
        user: user.id,
        client_id,
        lists: [lists[0], lists[1]],
        tags,
        fields: [fields[0].id, fields[1].id, fields[2].id],
        field_names: [
            fields[0].name.clone(),
            fields[1].name.clone(),
            fields[2].name.clone(),
        ],
    })
}

/// A list named `name` in `account`.
pub async fn create_list(
    store: &dyn Store,
    account: AccountId,
    name: &str,
) -> anyhow::Result<ListId> {
    let list = ContactList::create(
        ListInput {
            name: name.into(),
            description: None,
            favorite: false,
        },
        Timestamp::now(),
    );
    store.create_list(account, &list, 1_000).await?;
    Ok(list.id)
}

/// "Now" of the data set: midnight UTC today, so the data set only depends on the seed and
/// the day.
pub fn data_set_now() -> Timestamp {
    Timestamp::from_millis(Timestamp::now().millis() / DAY_MILLIS * DAY_MILLIS)
}

/// The data set's contacts in order, generated from the seed: the same rows for every
/// account they are generated for (only the account's list, tag and field ids differ).
pub struct Contacts {
    generator: Generator,
    rng: StdRng,
    updated_slots: Vec<u32>,
    next: usize,
    start: i64,
}

impl Contacts {
    pub fn new(setup: &AccountSetup, contacts: usize, now: Timestamp) -> Self {
        let mut rng = StdRng::seed_from_u64(SEED);
        // updated_at takes every evenly spaced slot once, in a seeded random order: independent
        // of creation order, as for contacts that are edited at any time after they were added.
        let mut updated_slots: Vec<u32> = (0..contacts as u32).collect();
        updated_slots.shuffle(&mut rng);
        Self {
            generator: Generator {
                lists: setup.lists,
                tags: setup.tags.clone(),
                fields: setup.fields,
            },
            rng,
            updated_slots,
            next: 0,
            start: now.millis() - SPAN_MILLIS,
        }
    }

    fn spacing(&self, slot: usize) -> i64 {
        let contacts = self.updated_slots.len() as i128;
        self.start + (slot as i128 * SPAN_MILLIS as i128 / contacts) as i64
    }
}

impl Iterator for Contacts {
    type Item = Contact;

    fn next(&mut self) -> Option<Contact> {
        let n = self.next;
        let slot = *self.updated_slots.get(n)? as usize;
        self.next += 1;
        let (created_at, updated_at) = (self.spacing(n), self.spacing(slot));
        Some(
            self.generator
                .contact(n, created_at, updated_at, &mut self.rng),
        )
    }
}

/// Creates the account (see `setup_account`), then loads `contacts` contacts in batches;
/// `progress` is told after every batch.
pub async fn load(
    store: &dyn Store,
    contacts: usize,
    mut progress: impl FnMut(usize),
) -> anyhow::Result<Loaded> {
    let setup = setup_account(store, "bench@example.com").await?;
    let now = data_set_now();
    let sample_every = (contacts / SAMPLE_IDS).max(1);
    let mut sample_ids = Vec::new();
    let started = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    for (n, contact) in Contacts::new(&setup, contacts, now).enumerate() {
        if n % sample_every == 0 {
            sample_ids.push(contact.id);
        }
        batch.push(contact);
        if batch.len() == BATCH || n + 1 == contacts {
            store.insert_contacts_bulk(setup.account, &batch).await?;
            batch.clear();
            progress(n + 1);
        }
    }
    let load_time = started.elapsed();
    Ok(Loaded {
        account: setup.account,
        user: setup.user,
        client_id: setup.client_id.clone(),
        contacts,
        l1: setup.lists[0],
        l2: setup.lists[1],
        l1_members: (0..contacts).filter(|n| in_l1(*n)).count(),
        l2_members: (0..contacts).filter(|n| in_l2(*n)).count(),
        sample_ids,
        now,
        load_time,
        setup,
    })
}

fn in_l1(n: usize) -> bool {
    n % 10 == 3
}

fn in_l2(n: usize) -> bool {
    n % 2 == 1
}

struct Generator {
    lists: [ListId; 2],
    tags: Vec<TagId>,
    fields: [CustomFieldId; 3],
}

impl Generator {
    fn contact(&self, n: usize, created_at: i64, updated_at: i64, rng: &mut StdRng) -> Contact {
        let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
        let mut random = [0u8; 10];
        rng.fill_bytes(&mut random);
        // A v7 id at the creation instant: id order is creation order, as for real contacts.
        let id = uuid::Builder::from_unix_timestamp_millis(created_at as u64, &random).into_uuid();
        let permission = match rng.gen_range(0..100) {
            0..=69 => Permission::Explicit,
            70..=89 => Permission::Implicit,
            90..=94 => Permission::Unsubscribed,
            _ => Permission::PendingConfirmation,
        };
        let (created, updated) = (
            Timestamp::from_millis(created_at),
            Timestamp::from_millis(updated_at),
        );
        let address = format!(
            "{}.{}.{n}@example{}.com",
            first.to_lowercase(),
            last.to_lowercase(),
            n % 10
        );
        let mut list_ids = Vec::new();
        if in_l1(n) {
            list_ids.push(self.lists[0]);
        }
        if in_l2(n) {
            list_ids.push(self.lists[1]);
        }
        let unsubscribed = permission == Permission::Unsubscribed;
        Contact {
            id: ContactId(id),
            email: Some(EmailChannel {
                address: EmailAddress::parse(&address).expect("generated addresses are valid"),
                permission,
                opt_in_source: (!unsubscribed).then_some(Source::Account),
                opt_in_date: (!unsubscribed).then_some(created),
                opt_out_source: unsubscribed.then_some(Source::Contact),
                opt_out_date: unsubscribed.then_some(updated),
                opt_out_reason: None,
                confirm_status: ConfirmStatus::Off,
                created_at: created,
                updated_at: updated,
            }),
            first_name: Some(first.to_string()),
            last_name: Some(last.to_string()),
            job_title: Some(JOB_TITLES[rng.gen_range(0..JOB_TITLES.len())].to_string()),
            company_name: Some(COMPANIES[rng.gen_range(0..COMPANIES.len())].to_string()),
            birthday: None,
            anniversary: None,
            create_source: Source::Account,
            update_source: Source::Account,
            created_at: created,
            updated_at: updated,
            deleted_at: None,
            custom_fields: vec![
                // Tier: each of ten values held by 10% of contacts (the segment scenario's
                // "custom field 1 equals a value held by 10%").
                value(self.fields[0], format!("tier-{}", rng.gen_range(0..10))),
                value(self.fields[1], rng.gen_range(0..1000).to_string()),
                value(
                    self.fields[2],
                    ["north", "south", "east", "west"][rng.gen_range(0..4)].to_string(),
                ),
            ],
            phone_numbers: Vec::new(),
            street_addresses: Vec::new(),
            notes: Vec::new(),
            list_ids,
            // Exactly even over every hundred contacts, and not aligned with the lists.
            tag_ids: vec![self.tags[(n * 7 + n / 10) % self.tags.len()]],
            sms_channel: None,
        }
    }
}

fn value(field: CustomFieldId, value: String) -> CustomValue {
    CustomValue {
        custom_field_id: field,
        value,
        choice_ids: Vec::new(),
    }
}
