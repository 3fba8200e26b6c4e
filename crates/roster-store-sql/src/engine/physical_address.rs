//! Writing the account's physical address, shared by account creation (an address given
//! with the new account) and Account Services.

use roster_domain::account_services::PhysicalAddress;
use roster_domain::{AccountId, Timestamp};

use crate::Db;

/// Inserts (`insert`) or overwrites the account's address; an overwrite of a missing
/// address changes no row.
pub(super) async fn write_physical_address(
    tx: &mut sqlx::Transaction<'_, Db>,
    account: AccountId,
    address: &PhysicalAddress,
    now: Timestamp,
    insert: bool,
) -> Result<u64, sqlx::Error> {
    let sql = if insert {
        "INSERT INTO account_physical_addresses (account_id, address_line1, address_line2, \
         address_line3, city, state_code, state_name, postal_code, country_code, created_at, \
         updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"
    } else {
        "UPDATE account_physical_addresses SET address_line1 = $2, address_line2 = $3, \
         address_line3 = $4, city = $5, state_code = $6, state_name = $7, postal_code = $8, \
         country_code = $9, updated_at = $10 WHERE account_id = $1"
    };
    let done = sqlx::query(sql)
        .bind(account.0)
        .bind(&address.address_line1)
        .bind(&address.address_line2)
        .bind(&address.address_line3)
        .bind(&address.city)
        .bind(&address.state_code)
        .bind(&address.state_name)
        .bind(&address.postal_code)
        .bind(&address.country_code)
        .bind(now.millis())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}
