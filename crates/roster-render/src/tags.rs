//! The personalisation tags Roster knows (docs/CAMPAIGNS.md, "Contact tags" and "Account
//! tags"), and how a tag's name as written is looked up: ASCII case-insensitively, as Constant
//! Contact's variable-tag table says its codes are.

/// A contact property tag, e.g. `[[FirstName]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContactTag {
    FirstName,
    LastName,
    MiddleName,
    Prefix,
    CompanyName,
    Department,
    JobTitle,
    EmailAddress,
    AddressLine1,
    AddressLine2,
    AddressLine3,
    City,
    StateName,
    PostalCode,
    Country,
    HomePhone,
    WorkPhone,
    Birthday,
    Anniversary,
}

impl ContactTag {
    pub const ALL: [ContactTag; 19] = [
        Self::FirstName,
        Self::LastName,
        Self::MiddleName,
        Self::Prefix,
        Self::CompanyName,
        Self::Department,
        Self::JobTitle,
        Self::EmailAddress,
        Self::AddressLine1,
        Self::AddressLine2,
        Self::AddressLine3,
        Self::City,
        Self::StateName,
        Self::PostalCode,
        Self::Country,
        Self::HomePhone,
        Self::WorkPhone,
        Self::Birthday,
        Self::Anniversary,
    ];

    /// The spelling of Constant Contact's table.
    pub fn name(self) -> &'static str {
        match self {
            Self::FirstName => "FirstName",
            Self::LastName => "LastName",
            Self::MiddleName => "MiddleName",
            Self::Prefix => "Prefix",
            Self::CompanyName => "CompanyName",
            Self::Department => "Department",
            Self::JobTitle => "JobTitle",
            Self::EmailAddress => "EmailAddress",
            Self::AddressLine1 => "AddressLine1",
            Self::AddressLine2 => "AddressLine2",
            Self::AddressLine3 => "AddressLine3",
            Self::City => "City",
            Self::StateName => "StateName",
            Self::PostalCode => "PostalCode",
            Self::Country => "Country",
            Self::HomePhone => "HomePhone",
            Self::WorkPhone => "WorkPhone",
            Self::Birthday => "Birthday",
            Self::Anniversary => "Anniversary",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|tag| tag.name().eq_ignore_ascii_case(name))
    }
}

/// An account property tag, written `[[account.OrganizationName]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountTag {
    OrganizationName,
    SiteUrl,
    LogoUrl,
    AddressLine1,
    AddressLine2,
    AddressLine3,
    City,
    State,
    UsState,
    Country,
    CountryCode,
    PostalCode,
    SignatureName,
    SignatureEmail,
    SignatureImageUrl,
}

impl AccountTag {
    pub const ALL: [AccountTag; 15] = [
        Self::OrganizationName,
        Self::SiteUrl,
        Self::LogoUrl,
        Self::AddressLine1,
        Self::AddressLine2,
        Self::AddressLine3,
        Self::City,
        Self::State,
        Self::UsState,
        Self::Country,
        Self::CountryCode,
        Self::PostalCode,
        Self::SignatureName,
        Self::SignatureEmail,
        Self::SignatureImageUrl,
    ];

    /// The spelling after `account.` that the integrations we found generate.
    pub fn name(self) -> &'static str {
        match self {
            Self::OrganizationName => "OrganizationName",
            Self::SiteUrl => "SiteURL",
            Self::LogoUrl => "LogoURL",
            Self::AddressLine1 => "AddressLine1",
            Self::AddressLine2 => "AddressLine2",
            Self::AddressLine3 => "AddressLine3",
            Self::City => "City",
            Self::State => "State",
            Self::UsState => "usState",
            Self::Country => "Country",
            Self::CountryCode => "CountryCode",
            Self::PostalCode => "PostalCode",
            Self::SignatureName => "signaturename",
            Self::SignatureEmail => "signatureemail",
            Self::SignatureImageUrl => "signatureImageURL",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|tag| tag.name().eq_ignore_ascii_case(name))
    }
}

pub const ACCOUNT_PREFIX: &str = "account.";
pub const CUSTOM_PREFIX: &str = "CUSTOM.";
pub const TRACKING_IMAGE: &str = "trackingImage";

/// What a tag stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tag {
    Contact(ContactTag),
    Account(AccountTag),
    /// `[[CUSTOM.name]]`: the name as written after the prefix; whether the account has such a
    /// field is the caller's check (`Template::unknown_custom_fields`).
    Custom(String),
    TrackingImage,
}

impl Tag {
    /// Looks a tag's name up as written between the brackets; `None` for an unknown tag.
    pub fn from_name(name: &str) -> Option<Tag> {
        if name.eq_ignore_ascii_case(TRACKING_IMAGE) {
            return Some(Tag::TrackingImage);
        }
        if let Some(rest) = strip_prefix_ignore_case(name, CUSTOM_PREFIX) {
            return (!rest.is_empty()).then(|| Tag::Custom(rest.to_string()));
        }
        if let Some(rest) = strip_prefix_ignore_case(name, ACCOUNT_PREFIX) {
            return AccountTag::from_name(rest).map(Tag::Account);
        }
        ContactTag::from_name(name).map(Tag::Contact)
    }

    /// Whether the value differs from one contact to the next (the subject's fallback rule).
    pub fn is_per_contact(&self) -> bool {
        matches!(self, Tag::Contact(_) | Tag::Custom(_))
    }
}

/// `text` without `prefix`, when it starts with it in any ASCII case. `get` keeps a prefix
/// length that falls inside a multi-byte character from panicking: it is simply no match.
fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_looked_up_in_any_ascii_case() {
        assert_eq!(
            Tag::from_name("firstname"),
            Some(Tag::Contact(ContactTag::FirstName))
        );
        assert_eq!(
            Tag::from_name("ACCOUNT.organizationname"),
            Some(Tag::Account(AccountTag::OrganizationName))
        );
        assert_eq!(Tag::from_name("TRACKINGIMAGE"), Some(Tag::TrackingImage));
        assert_eq!(
            Tag::from_name("custom.Shoe_Size"),
            Some(Tag::Custom("Shoe_Size".to_string()))
        );
    }

    #[test]
    fn unknown_names_and_empty_custom_names_are_not_tags() {
        assert_eq!(Tag::from_name("FristName"), None);
        assert_eq!(Tag::from_name("CUSTOM."), None);
        assert_eq!(Tag::from_name("account.FirstName"), None);
        assert_eq!(Tag::from_name("account."), None);
        assert_eq!(Tag::from_name("unsubscribe"), None);
        // A prefix length that ends inside a multi-byte character.
        assert_eq!(Tag::from_name("custoé.x"), None);
    }

    #[test]
    fn every_tag_is_found_by_its_own_name() {
        for tag in ContactTag::ALL {
            assert_eq!(ContactTag::from_name(tag.name()), Some(tag));
        }
        for tag in AccountTag::ALL {
            assert_eq!(AccountTag::from_name(tag.name()), Some(tag));
        }
    }
}
