//! The campaigns scenario (issue 15): GET /v3/emails walked at limit=500 over one account with
//! 10,000 live and 90,000 Removed campaigns (the list shows both), the last page's time against
//! the first page's, as the contacts `paginate` row does. Keyset pagination keeps them equal;
//! an OFFSET would make the last page read every row before it.

use roster_domain::{AccountId, CampaignId, Timestamp};

use crate::report::Row;
use crate::server::Engine;
use crate::Bench;

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
        let total = LIVE_CAMPAIGNS + REMOVED_CAMPAIGNS;
        self.walk_pages(
            "campaigns",
            figure,
            "/v3/emails?limit=500",
            "campaigns",
            total,
        )
        .await
    }
}
