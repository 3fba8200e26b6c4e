//! Resubscription requests, each recorded or confirmed in one transaction with the contact
//! write it causes, guarded by the contact's `updated_at` as it was read.

use async_trait::async_trait;
use roster_domain::contact::Contact;
use roster_domain::resubscription::Resubscription;
use roster_domain::{
    AccountId, ContactId, ResubscriptionStore, StoreError, StoreResult, Timestamp,
};
use roster_store_sql::{rows, unavailable};
use uuid::Uuid;

use super::contact_writes::{lock_contact, write_locked_contact};
use super::fetch::{account_row, account_write, ExecuteWrite, FetchDomain};
use super::SqlStore;

#[async_trait]
impl ResubscriptionStore for SqlStore {
    async fn request_resubscription(
        &self,
        request: &Resubscription,
        contact: &Contact,
        read_at: Timestamp,
    ) -> StoreResult<bool> {
        let account = request.account;
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        if !lock_contact(&mut tx, account, contact.id, Some(read_at)).await? {
            let select = "SELECT updated_at FROM contacts WHERE account_id = $1 AND id = $2";
            let exists: Option<(i64,)> =
                account_row::<(i64,), _>(&mut *tx, select, account, contact.id.0).await?;
            return match exists {
                None => Ok(false),
                Some(_) => Err(StoreError::Conflict(
                    "the contact changed while it was being resubscribed; try again".into(),
                )),
            };
        }
        account_write(
            "INSERT INTO contact_resubscriptions (account_id, contact_id, token_sha256, list_ids, \
             requested_at) \
             VALUES ($1, $2, $3, $4, $5)",
            account,
            request.contact.0,
        )
        .bind(&request.token_sha256)
        .bind(rows::resubscription_list_ids(request))
        .bind(request.requested_at.millis())
        .run_unless_conflict(
            &mut *tx,
            "a resubscription email was already sent to this contact",
        )
        .await?;
        write_locked_contact(&mut tx, account, contact).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }

    async fn withdraw_resubscription(
        &self,
        account: AccountId,
        contact: ContactId,
    ) -> StoreResult<()> {
        account_write(
            "DELETE FROM contact_resubscriptions WHERE account_id = $1 AND contact_id = $2 \
             AND confirmed_at IS NULL AND declined_at IS NULL",
            account,
            contact.0,
        )
        .run(&self.pool)
        .await
    }

    async fn resubscription_by_token(
        &self,
        token_sha256: &str,
    ) -> StoreResult<Option<Resubscription>> {
        sqlx::query_as::<_, rows::ResubscriptionRow>(
            "SELECT account_id, contact_id, token_sha256, list_ids, requested_at, confirmed_at, \
             declined_at \
             FROM contact_resubscriptions WHERE token_sha256 = $1",
        )
        .bind(token_sha256)
        .optional(&self.pool)
        .await
    }

    async fn confirm_resubscription(
        &self,
        token_sha256: &str,
        contact: &Contact,
        read_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // Claiming the request first makes a concurrent second confirmation find nothing.
        let claimed: Option<(Uuid,)> = sqlx::query_as::<_, (Uuid,)>(
            "UPDATE contact_resubscriptions SET confirmed_at = $2 \
             WHERE token_sha256 = $1 AND contact_id = $3 AND confirmed_at IS NULL \
             AND declined_at IS NULL \
             RETURNING account_id",
        )
        .bind(token_sha256)
        .bind(now.millis())
        .bind(contact.id.0)
        .optional(&mut *tx)
        .await?;
        let Some((account,)) = claimed else {
            return Ok(false);
        };
        let account = AccountId(account);
        if !lock_contact(&mut tx, account, contact.id, Some(read_at)).await? {
            return Err(StoreError::Conflict(
                "the contact changed while it was being resubscribed".into(),
            ));
        }
        write_locked_contact(&mut tx, account, contact).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }

    async fn decline_resubscription(
        &self,
        token_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE contact_resubscriptions SET declined_at = $2 \
             WHERE token_sha256 = $1 AND confirmed_at IS NULL AND declined_at IS NULL",
        )
        .bind(token_sha256)
        .bind(now.millis())
        .affected(&self.pool)
        .await?;
        Ok(done > 0)
    }
}
