//! User privileges (the official document's `x-authorization-privileges`) and the roles that
//! grant them. This is the one place where roles map to privileges; docs/ROLES.md mirrors it.

/// A Constant Contact user privilege. The numeric ids are Roster's own (the document shows only
/// that they are integers) and never change once published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Privilege {
    AccountRead,
    AccountUpdate,
    ContactsRead,
    ContactsWrite,
    ContactsListsRead,
    ContactsListsWrite,
    CampaignRead,
    CampaignWrite,
    CampaignDelete,
    CampaignSend,
    CampaignMetrics,
    CustomerJourneyRead,
    CustomerJourneyCreate,
    CustomerJourneyUpdate,
}

impl Privilege {
    pub const ALL: [Privilege; 14] = [
        Privilege::AccountRead,
        Privilege::AccountUpdate,
        Privilege::ContactsRead,
        Privilege::ContactsWrite,
        Privilege::ContactsListsRead,
        Privilege::ContactsListsWrite,
        Privilege::CampaignRead,
        Privilege::CampaignWrite,
        Privilege::CampaignDelete,
        Privilege::CampaignSend,
        Privilege::CampaignMetrics,
        Privilege::CustomerJourneyRead,
        Privilege::CustomerJourneyCreate,
        Privilege::CustomerJourneyUpdate,
    ];

    /// The name the document uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::AccountRead => "account:read",
            Self::AccountUpdate => "account:update",
            Self::ContactsRead => "contacts:read",
            Self::ContactsWrite => "contacts:write",
            Self::ContactsListsRead => "contacts:lists:read",
            Self::ContactsListsWrite => "contacts:lists:write",
            Self::CampaignRead => "campaign:read",
            Self::CampaignWrite => "campaign:write",
            Self::CampaignDelete => "campaign:delete",
            Self::CampaignSend => "campaign:send",
            Self::CampaignMetrics => "ui:campaign:metrics",
            Self::CustomerJourneyRead => "customer-journey:read",
            Self::CustomerJourneyCreate => "customer-journey:create",
            Self::CustomerJourneyUpdate => "customer-journey:update",
        }
    }

    /// `privilege_id` in GET /account/user/privileges.
    pub fn id(self) -> i64 {
        match self {
            Self::AccountRead => 1,
            Self::AccountUpdate => 2,
            Self::ContactsRead => 10,
            Self::ContactsWrite => 11,
            Self::ContactsListsRead => 12,
            Self::ContactsListsWrite => 13,
            Self::CampaignRead => 20,
            Self::CampaignWrite => 21,
            Self::CampaignDelete => 22,
            Self::CampaignSend => 23,
            Self::CampaignMetrics => 24,
            Self::CustomerJourneyRead => 30,
            Self::CustomerJourneyCreate => 31,
            Self::CustomerJourneyUpdate => 32,
        }
    }
}

/// A user's role within an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The account's first user: every privilege.
    AccountOwner,
    /// Runs the account day to day: everything but changing the account's own details.
    AccountManager,
    /// Manages contacts and lists, creates, sends and reports on campaigns.
    CampaignCreator,
    /// Writes campaigns but neither sends them nor touches contacts.
    Author,
    /// Reads contacts, lists, campaigns and their metrics; changes nothing.
    Reporter,
    /// Manages contacts and lists only.
    ContactManager,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::AccountOwner,
        Role::AccountManager,
        Role::CampaignCreator,
        Role::Author,
        Role::Reporter,
        Role::ContactManager,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::AccountOwner => crate::account::OWNER_ROLE,
            Self::AccountManager => "account_manager",
            Self::CampaignCreator => "campaign_creator",
            Self::Author => "author",
            Self::Reporter => "reporter",
            Self::ContactManager => "contact_manager",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        let text = text.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|role| role.name() == text)
    }

    /// The role → privilege table.
    pub fn privileges(self) -> &'static [Privilege] {
        use Privilege::*;
        match self {
            Self::AccountOwner => &Privilege::ALL,
            Self::AccountManager => &[
                AccountRead,
                ContactsRead,
                ContactsWrite,
                ContactsListsRead,
                ContactsListsWrite,
                CampaignRead,
                CampaignWrite,
                CampaignDelete,
                CampaignSend,
                CampaignMetrics,
                CustomerJourneyRead,
                CustomerJourneyCreate,
                CustomerJourneyUpdate,
            ],
            Self::CampaignCreator => &[
                AccountRead,
                ContactsRead,
                ContactsWrite,
                ContactsListsRead,
                ContactsListsWrite,
                CampaignRead,
                CampaignWrite,
                CampaignDelete,
                CampaignSend,
                CampaignMetrics,
                CustomerJourneyRead,
            ],
            Self::Author => &[AccountRead, ContactsListsRead, CampaignRead, CampaignWrite],
            Self::Reporter => &[
                AccountRead,
                ContactsRead,
                ContactsListsRead,
                CampaignRead,
                CampaignMetrics,
                CustomerJourneyRead,
            ],
            Self::ContactManager => &[
                AccountRead,
                ContactsRead,
                ContactsWrite,
                ContactsListsRead,
                ContactsListsWrite,
            ],
        }
    }

    pub fn holds(self, privilege: Privilege) -> bool {
        self.privileges().contains(&privilege)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_holds_every_privilege_and_names_round_trip() {
        for privilege in Privilege::ALL {
            assert!(Role::AccountOwner.holds(privilege));
        }
        for role in Role::ALL {
            assert_eq!(Role::parse(role.name()), Some(role));
        }
        assert_eq!(Role::parse("Account-Manager"), Some(Role::AccountManager));
        assert_eq!(Role::parse("admin"), None);
        let mut ids: Vec<i64> = Privilege::ALL.iter().map(|p| p.id()).collect();
        ids.dedup();
        assert_eq!(ids.len(), Privilege::ALL.len());
    }
}
