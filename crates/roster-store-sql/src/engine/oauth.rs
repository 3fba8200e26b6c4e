//! OAuth's records: clients, codes, refresh tokens, revocations, consents and device
//! authorizations. Claims (a code, a refresh token, a device authorization) are one
//! conditional write, so concurrent requests cannot both use the same grant.

use std::sync::LazyLock;

use async_trait::async_trait;
use roster_domain::account::ClientApp;
use roster_domain::oauth::{
    user_revocation_subject, AuthorizationCode, DeviceAuthorization, DevicePoll, GrantId,
    RefreshToken,
};
use roster_domain::{AccountId, OAuthStore, StoreResult, Timestamp, UserId};
use roster_store_sql::columns::DEVICE_AUTHORIZATION_COLUMNS;
use roster_store_sql::{rows, unavailable};

use super::fetch::{account_write, ExecuteWrite, FetchDomain};
use super::SqlStore;

#[async_trait]
impl OAuthStore for SqlStore {
    async fn create_client(&self, app: &ClientApp) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO oauth_clients (client_id, secret_sha256, name, redirect_uris, \
             created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&app.client_id)
        .bind(&app.secret_sha256)
        .bind(&app.name)
        .bind(rows::to_json(&app.redirect_uris))
        .bind(app.created_at.millis())
        .run_unless_conflict(&self.pool, "a client with this id already exists")
        .await
    }

    async fn client(&self, client_id: &str) -> StoreResult<Option<ClientApp>> {
        sqlx::query_as::<_, rows::ClientRow>(
            "SELECT client_id, secret_sha256, name, redirect_uris, created_at FROM oauth_clients \
             WHERE client_id = $1",
        )
        .bind(client_id)
        .optional(&self.pool)
        .await
    }

    async fn clients(&self) -> StoreResult<Vec<ClientApp>> {
        sqlx::query_as::<_, rows::ClientRow>(
            "SELECT client_id, secret_sha256, name, redirect_uris, created_at FROM oauth_clients \
             ORDER BY created_at, client_id",
        )
        .all(&self.pool)
        .await
    }

    async fn delete_client(&self, client_id: &str) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let done = sqlx::query("DELETE FROM oauth_clients WHERE client_id = $1")
            .bind(client_id)
            .affected(&mut *tx)
            .await?;
        if done == 0 {
            return Ok(false);
        }
        for table in [
            "oauth_codes",
            "oauth_refresh_tokens",
            "oauth_device_authorizations",
            "oauth_consents",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE client_id = $1"))
                .bind(client_id)
                .run(&mut *tx)
                .await?;
        }
        // Permanent: a deleted client's access tokens must never verify again.
        sqlx::query(
            "INSERT INTO oauth_revocations (subject, expires_at, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (subject) DO NOTHING",
        )
        .bind(format!("client:{client_id}"))
        .bind(i64::MAX)
        .bind(Timestamp::now().millis())
        .run(&mut *tx)
        .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }

    async fn insert_authorization_code(&self, code: &AuthorizationCode) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO oauth_codes (code_sha256, grant_id, client_id, account_id, user_id, \
             redirect_uri, scopes, code_challenge, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&code.code_sha256)
        .bind(code.grant.0)
        .bind(&code.client_id)
        .bind(code.account.0)
        .bind(code.user.0)
        .bind(&code.redirect_uri)
        .bind(rows::scopes_to_text(&code.scopes))
        .bind(&code.code_challenge)
        .bind(code.created_at.millis())
        .bind(code.expires_at.millis())
        .bind(code.used_at.map(|t| t.millis()))
        .run_unless_conflict(
            &self.pool,
            "an authorization code with this value already exists",
        )
        .await
    }

    async fn authorization_code(
        &self,
        code_sha256: &str,
    ) -> StoreResult<Option<AuthorizationCode>> {
        sqlx::query_as::<_, rows::AuthorizationCodeRow>(
            "SELECT code_sha256, grant_id, client_id, account_id, user_id, redirect_uri, scopes, \
             code_challenge, created_at, expires_at, used_at FROM oauth_codes \
             WHERE code_sha256 = $1",
        )
        .bind(code_sha256)
        .optional(&self.pool)
        .await
    }

    async fn claim_authorization_code(
        &self,
        code_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE oauth_codes SET used_at = $2 WHERE code_sha256 = $1 AND used_at IS NULL",
        )
        .bind(code_sha256)
        .bind(now.millis())
        .affected(&self.pool)
        .await?;
        Ok(done == 1)
    }

    async fn insert_refresh_token(&self, token: &RefreshToken) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO oauth_refresh_tokens (token_sha256, grant_id, client_id, account_id, \
             user_id, scopes, created_at, expires_at, used_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&token.token_sha256)
        .bind(token.grant.0)
        .bind(&token.client_id)
        .bind(token.account.0)
        .bind(token.user.0)
        .bind(rows::scopes_to_text(&token.scopes))
        .bind(token.created_at.millis())
        .bind(token.expires_at.millis())
        .bind(token.used_at.map(|t| t.millis()))
        .bind(token.revoked_at.map(|t| t.millis()))
        .run_unless_conflict(&self.pool, "a refresh token with this value already exists")
        .await
    }

    async fn refresh_token(&self, token_sha256: &str) -> StoreResult<Option<RefreshToken>> {
        sqlx::query_as::<_, rows::RefreshTokenRow>(
            "SELECT token_sha256, grant_id, client_id, account_id, user_id, scopes, created_at, \
             expires_at, used_at, revoked_at FROM oauth_refresh_tokens WHERE token_sha256 = $1",
        )
        .bind(token_sha256)
        .optional(&self.pool)
        .await
    }

    async fn rotate_refresh_token(
        &self,
        old_sha256: &str,
        successor: &RefreshToken,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let claimed = sqlx::query(
            "UPDATE oauth_refresh_tokens SET used_at = $2 \
             WHERE token_sha256 = $1 AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(old_sha256)
        .bind(now.millis())
        .affected(&mut *tx)
        .await?;
        if claimed != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO oauth_refresh_tokens (token_sha256, grant_id, client_id, account_id, \
             user_id, scopes, created_at, expires_at, used_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)",
        )
        .bind(&successor.token_sha256)
        .bind(successor.grant.0)
        .bind(&successor.client_id)
        .bind(successor.account.0)
        .bind(successor.user.0)
        .bind(rows::scopes_to_text(&successor.scopes))
        .bind(successor.created_at.millis())
        .bind(successor.expires_at.millis())
        .run_unless_conflict(&mut *tx, "a refresh token with this value already exists")
        .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(true)
    }

    async fn revoke_user_tokens(
        &self,
        user: UserId,
        now: Timestamp,
        revocation_expires_at: Timestamp,
    ) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let revoked = sqlx::query(
            "UPDATE oauth_refresh_tokens SET revoked_at = $2 \
             WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(user.0)
        .bind(now.millis())
        .affected(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO oauth_revocations (subject, expires_at, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (subject) DO UPDATE SET expires_at = excluded.expires_at",
        )
        .bind(user_revocation_subject(user, now))
        .bind(revocation_expires_at.millis())
        .bind(now.millis())
        .run(&mut *tx)
        .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(revoked)
    }

    async fn revoke_grant(
        &self,
        grant: GrantId,
        now: Timestamp,
        revocation_expires_at: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        sqlx::query(
            "UPDATE oauth_refresh_tokens SET revoked_at = $2 \
             WHERE grant_id = $1 AND revoked_at IS NULL",
        )
        .bind(grant.0)
        .bind(now.millis())
        .run(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO oauth_revocations (subject, expires_at, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (subject) DO UPDATE SET expires_at = excluded.expires_at",
        )
        .bind(format!("grant:{grant}"))
        .bind(revocation_expires_at.millis())
        .bind(now.millis())
        .run(&mut *tx)
        .await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(())
    }

    async fn insert_revocation(&self, subject: &str, expires_at: Timestamp) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO oauth_revocations (subject, expires_at, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (subject) DO NOTHING",
        )
        .bind(subject)
        .bind(expires_at.millis())
        .bind(Timestamp::now().millis())
        .run(&self.pool)
        .await
    }

    async fn revocations(&self, now: Timestamp) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as::<_, (String,)>(
            "SELECT subject FROM oauth_revocations WHERE expires_at > $1",
        )
        .bind(now.millis())
        .all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(subject,)| subject).collect())
    }

    async fn prune_oauth(&self, now: Timestamp) -> StoreResult<()> {
        for statement in [
            "DELETE FROM oauth_codes WHERE expires_at < $1",
            "DELETE FROM oauth_device_authorizations WHERE expires_at < $1",
            "DELETE FROM oauth_revocations WHERE expires_at < $1",
            "DELETE FROM oauth_refresh_tokens WHERE expires_at < $1",
        ] {
            sqlx::query(statement)
                .bind(now.millis())
                .run(&self.pool)
                .await?;
        }
        Ok(())
    }

    async fn consent(
        &self,
        account: AccountId,
        user: UserId,
        client_id: &str,
    ) -> StoreResult<Option<Vec<String>>> {
        let row: Option<(String,)> = sqlx::query_as::<_, (String,)>(
            "SELECT scopes FROM oauth_consents \
             WHERE account_id = $1 AND user_id = $2 AND client_id = $3",
        )
        .bind(account.0)
        .bind(user.0)
        .bind(client_id)
        .optional(&self.pool)
        .await?;
        Ok(row.map(|(scopes,)| rows::scopes_from_text(&scopes)))
    }

    async fn save_consent(
        &self,
        account: AccountId,
        user: UserId,
        client_id: &str,
        scopes: &[String],
    ) -> StoreResult<()> {
        account_write(
            "INSERT INTO oauth_consents (account_id, user_id, client_id, scopes, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (account_id, user_id, client_id) DO UPDATE \
             SET scopes = excluded.scopes, updated_at = excluded.updated_at",
            account,
            user.0,
        )
        .bind(client_id)
        .bind(rows::scopes_to_text(scopes))
        .bind(Timestamp::now().millis())
        .run(&self.pool)
        .await
    }

    async fn insert_device_authorization(&self, device: &DeviceAuthorization) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO oauth_device_authorizations (device_code_sha256, user_code, client_id, \
             scopes, status, account_id, user_id, interval_seconds, last_polled_at, created_at, \
             expires_at) \
             VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, NULL, $7, $8)",
        )
        .bind(&device.device_code_sha256)
        .bind(&device.user_code)
        .bind(&device.client_id)
        .bind(rows::scopes_to_text(&device.scopes))
        .bind(device.status.as_str())
        .bind(device.interval_seconds)
        .bind(device.created_at.millis())
        .bind(device.expires_at.millis())
        .run_unless_conflict(
            &self.pool,
            "a device authorization with this user code already exists",
        )
        .await
    }

    async fn device_authorization_by_user_code(
        &self,
        user_code: &str,
    ) -> StoreResult<Option<DeviceAuthorization>> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {DEVICE_AUTHORIZATION_COLUMNS} FROM oauth_device_authorizations \
                 WHERE user_code = $1"
            )
        });
        sqlx::query_as::<_, rows::DeviceAuthorizationRow>(&SELECT)
            .bind(user_code)
            .optional(&self.pool)
            .await
    }

    async fn decide_device_authorization(
        &self,
        user_code: &str,
        decision: Option<(AccountId, UserId)>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (status, account, user) = match decision {
            Some((account, user)) => ("approved", Some(account.0), Some(user.0)),
            None => ("denied", None, None),
        };
        let done = sqlx::query(
            "UPDATE oauth_device_authorizations SET status = $2, account_id = $3, user_id = $4 \
             WHERE user_code = $1 AND status = 'pending' AND expires_at > $5",
        )
        .bind(user_code)
        .bind(status)
        .bind(account)
        .bind(user)
        .bind(now.millis())
        .affected(&self.pool)
        .await?;
        Ok(done == 1)
    }

    async fn poll_device_authorization(
        &self,
        device_code_sha256: &str,
        now: Timestamp,
    ) -> StoreResult<DevicePoll> {
        static SELECT: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {DEVICE_AUTHORIZATION_COLUMNS} FROM oauth_device_authorizations \
                 WHERE device_code_sha256 = $1"
            )
        });
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        // A poll within the interval since the last one is too fast: the interval grows
        // by 5 seconds (RFC 8628 §3.5). The write comes first so concurrent polls serialise.
        let slowed = sqlx::query(
            "UPDATE oauth_device_authorizations SET interval_seconds = interval_seconds + 5, \
             last_polled_at = $2 \
             WHERE device_code_sha256 = $1 AND status = 'pending' AND last_polled_at IS NOT NULL \
             AND last_polled_at + interval_seconds * 1000 > $2",
        )
        .bind(device_code_sha256)
        .bind(now.millis())
        .affected(&mut *tx)
        .await?;
        if slowed == 1 {
            tx.commit().await.map_err(unavailable)?;
            return Ok(DevicePoll::SlowDown);
        }
        sqlx::query(
            "UPDATE oauth_device_authorizations SET last_polled_at = $2 \
             WHERE device_code_sha256 = $1",
        )
        .bind(device_code_sha256)
        .bind(now.millis())
        .run(&mut *tx)
        .await?;
        let row: Option<rows::DeviceAuthorizationRow> =
            sqlx::query_as::<_, rows::DeviceAuthorizationRow>(&SELECT)
                .bind(device_code_sha256)
                .optional(&mut *tx)
                .await?;
        tx.commit().await.map_err(unavailable)?;
        match row {
            None => Ok(DevicePoll::Unknown),
            Some(row) => Ok(DevicePoll::Current(row.try_into()?)),
        }
    }

    async fn claim_device_authorization(&self, device_code_sha256: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE oauth_device_authorizations SET status = 'used' \
             WHERE device_code_sha256 = $1 AND status = 'approved'",
        )
        .bind(device_code_sha256)
        .affected(&self.pool)
        .await?;
        Ok(done == 1)
    }
}
