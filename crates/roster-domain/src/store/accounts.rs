//! Accounts and their users: the CLI creates them, sign-in and token checks read them. The
//! engine's name and ping live here too, for logs and /readyz.

use async_trait::async_trait;

use crate::account::{Account, NewAccount, User};
use crate::store::error::StoreResult;
use crate::{AccountId, EmailAddress, Page, PageRequest, UserId};

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// The engine's name, for logs and /readyz.
    fn engine(&self) -> &'static str;

    /// One round trip to the database.
    async fn ping(&self) -> StoreResult<()>;

    /// Creates an account, its owner and the owner's confirmed sender address, atomically.
    async fn create_account(&self, new: NewAccount) -> StoreResult<(Account, User)>;
    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>>;
    /// Turns the account's Confirmed Opt-In on or off; false when the account does not exist.
    async fn set_confirmed_opt_in(&self, account: AccountId, on: bool) -> StoreResult<bool>;
    async fn user_by_email(&self, email: &EmailAddress) -> StoreResult<Option<User>>;

    /// Adds a user to an existing account (`Conflict` when the email signs in already).
    async fn create_user(&self, user: &User) -> StoreResult<()>;
    /// A user of the account, or None (another account's user is None too).
    async fn user(&self, account: AccountId, id: UserId) -> StoreResult<Option<User>>;

    /// Every account, in creation order (`roster accounts list`).
    async fn accounts(&self, page: PageRequest<AccountId>)
        -> StoreResult<Page<Account, AccountId>>;
    /// The account's users, in the order they were added.
    async fn users(&self, account: AccountId) -> StoreResult<Vec<User>>;
    /// Deletes a user of the account with its codes, refresh tokens, consents and device
    /// authorizations; false when the account has no such user.
    async fn delete_user(&self, account: AccountId, id: UserId) -> StoreResult<bool>;
    /// Gives a user of the account another role (`Role::name`); false when there is no such
    /// user.
    async fn set_user_role(&self, account: AccountId, id: UserId, role: &str) -> StoreResult<bool>;
    /// Replaces a user's password hash; false when the account has no such user.
    async fn set_user_password(
        &self,
        account: AccountId,
        id: UserId,
        password_hash: &str,
    ) -> StoreResult<bool>;
}
