//! The campaigns scenario (issue 15): GET /v3/emails walked at limit=500 over one account with
//! 10,000 live and 90,000 Removed campaigns (the list shows both), the last page's time against
//! the first page's, as the contacts `paginate` row does. Keyset pagination keeps them equal;
//! an OFFSET would make the last page read every row before it.

use std::time::Instant;

use anyhow::bail;
use roster_domain::{AccountId, CampaignId, Timestamp};

use crate::report::{Outcome, Row, Target};
use crate::server::Engine;
use crate::{say, Bench, PAGE_SAMPLES};

pub const LIVE_CAMPAIGNS: usize = 10_000;
pub const REMOVED_CAMPAIGNS: usize = 90_000;
/// Campaigns per INSERT statement (8 binds each, under SQLite's 32,766).
const ROWS_PER_STATEMENT: usize = 500;

/// Fills the account's `email_campaigns` straight through SQL, one transaction: creating
/// 100,000 campaigns through POST /emails (one transaction and three rows each) and deleting
/// 90,000 of them would take the run minutes. GET /emails reads only this table, so the
/// activities are left out. Every tenth campaign is live, the rest Removed, so both kinds are
/// spread over every page.
async fn insert_campaigns<C>(url: &str, account: AccountId) -> anyhow::Result<()>
where
    C: sqlx::Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
    for<'q> uuid::Uuid: sqlx::Encode<'q, C::Database> + sqlx::Type<C::Database>,
    for<'q> i64: sqlx::Encode<'q, C::Database> + sqlx::Type<C::Database>,
    for<'q> String: sqlx::Encode<'q, C::Database> + sqlx::Type<C::Database>,
    for<'q> Option<String>: sqlx::Encode<'q, C::Database> + sqlx::Type<C::Database>,
    for<'q> <C::Database as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, C::Database>,
{
    let mut connection = C::connect(url).await?;
    let mut tx = connection.begin().await?;
    let total = LIVE_CAMPAIGNS + REMOVED_CAMPAIGNS;
    let now = Timestamp::now().millis();
    let mut next = 0usize;
    while next < total {
        let rows = ROWS_PER_STATEMENT.min(total - next);
        let mut text = String::from(
            "INSERT INTO email_campaigns (account_id, id, name, name_key, status, \
             status_before_removal, created_at, updated_at) VALUES ",
        );
        for row in 0..rows {
            let base = row * 8;
            if row > 0 {
                text.push_str(", ");
            }
            let marks: Vec<String> = (1..=8).map(|k| format!("${}", base + k)).collect();
            text.push('(');
            text.push_str(&marks.join(", "));
            text.push(')');
        }
        let mut query = sqlx::query(&text);
        for n in next..next + rows {
            let live = n % 10 == 0;
            let name = format!("Campaign {n:06}");
            let (status, before) = if live {
                ("DRAFT".to_string(), None)
            } else {
                ("REMOVED".to_string(), Some("DRAFT".to_string()))
            };
            let at = now - (total - n) as i64;
            query = query
                .bind(account.0)
                .bind(CampaignId::generate().0)
                .bind(name.clone())
                .bind(name.to_lowercase())
                .bind(status)
                .bind(before)
                .bind(at)
                .bind(at);
        }
        query.execute(&mut *tx).await?;
        next += rows;
    }
    sqlx::query("UPDATE accounts SET live_campaign_count = $1 WHERE id = $2")
        .bind(LIVE_CAMPAIGNS as i64)
        .bind(account.0)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    connection.close().await?;
    Ok(())
}

pub async fn seed(engine: Engine, database_url: &str, account: AccountId) -> anyhow::Result<()> {
    match engine {
        Engine::Sqlite => insert_campaigns::<sqlx::SqliteConnection>(database_url, account).await,
        Engine::Postgres => insert_campaigns::<sqlx::PgConnection>(database_url, account).await,
    }
}

impl Bench<'_> {
    pub(crate) async fn campaigns(&self, figure: &str) -> anyhow::Result<Row> {
        let first_path = "/v3/emails?limit=500".to_string();
        let walk_started = Instant::now();
        let mut path = first_path.clone();
        let mut last_path;
        let (mut pages, mut seen) = (0usize, 0usize);
        loop {
            let (_, body) = self.timed_get(&path).await?;
            pages += 1;
            seen += body["campaigns"].as_array().map_or(0, Vec::len);
            last_path = path.clone();
            match body["_links"]["next"]["href"].as_str() {
                Some(next) => path = next.to_string(),
                None => break,
            }
        }
        let walk = walk_started.elapsed();
        let total = LIVE_CAMPAIGNS + REMOVED_CAMPAIGNS;
        if seen != total {
            bail!("the walk saw {seen} campaigns, not {total}");
        }
        // As the paginate row: the fastest of several warm requests of each end.
        let (mut first, mut last) = (f64::MAX, f64::MAX);
        for _ in 0..PAGE_SAMPLES {
            first = first.min(self.timed_get(&first_path).await?.0);
            last = last.min(self.timed_get(&last_path).await?.0);
        }
        say(format!(
            "  {pages} pages in {:.1} s; first page {first:.1} ms, last page {last:.1} ms \
             (fastest of {PAGE_SAMPLES})",
            walk.as_secs_f64()
        ));
        Ok(Row {
            scenario: "campaigns",
            figure: format!(
                "{figure} ({pages} pages in {:.1} s; fastest of {PAGE_SAMPLES} warm requests each)",
                walk.as_secs_f64()
            ),
            unit: "ms",
            outcome: Outcome::Measured {
                value: last,
                baseline: Some((first, "the first page".into())),
            },
            target: Target::RatioAtMost(1.2),
            load: None,
        })
    }
}
