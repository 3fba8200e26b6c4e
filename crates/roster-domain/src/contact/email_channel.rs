//! The contact's email address and its consent state: the permission to send, confirmation,
//! the opt-in and opt-out facts, and how a requested permission changes them.

use serde::{Deserialize, Serialize};

use super::source::Source;
use super::wire_enum::wire_enum;
use crate::{EmailAddress, Timestamp};

wire_enum!(
    /// `email_address.permission_to_send`.
    Permission {
        Explicit = "explicit",
        Implicit = "implicit",
        NotSet = "not_set",
        PendingConfirmation = "pending_confirmation",
        TempHold = "temp_hold",
        Unsubscribed = "unsubscribed",
    }
);

wire_enum!(
    /// `email_address.confirm_status`.
    ConfirmStatus { Pending = "pending", Confirmed = "confirmed", Off = "off" }
);

/// The contact's email address and its consent state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChannel {
    pub address: EmailAddress,
    pub permission: Permission,
    pub opt_in_source: Option<Source>,
    pub opt_in_date: Option<Timestamp>,
    pub opt_out_source: Option<Source>,
    pub opt_out_date: Option<Timestamp>,
    pub opt_out_reason: Option<String>,
    pub confirm_status: ConfirmStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailInput {
    pub address: EmailAddress,
    pub permission: Option<Permission>,
    pub opt_out_reason: Option<String>,
}

impl EmailChannel {
    /// The email state of an address that arrives now with `permission`, given by `source`:
    /// the opt-in or opt-out facts stamped, confirmation off until asked for.
    pub fn arriving(
        address: EmailAddress,
        permission: Permission,
        source: Source,
        opt_out_reason: Option<String>,
        now: Timestamp,
    ) -> Self {
        let mut channel = EmailChannel {
            address,
            permission,
            opt_in_source: None,
            opt_in_date: None,
            opt_out_source: None,
            opt_out_date: None,
            opt_out_reason: None,
            confirm_status: ConfirmStatus::Off,
            created_at: now,
            updated_at: now,
        };
        apply_permission(&mut channel, permission, source, opt_out_reason, now);
        channel
    }
}

/// The email state a contact gets when an address arrives with a requested permission.
pub(super) fn new_email_channel(
    input: &EmailInput,
    source: Source,
    now: Timestamp,
    default: Permission,
) -> EmailChannel {
    let permission = input.permission.unwrap_or(default);
    let reason = input.opt_out_reason.clone();
    EmailChannel::arriving(input.address.clone(), permission, source, reason, now)
}

/// Moves an email channel to `permission`, stamping the opt-in or opt-out facts.
pub(super) fn apply_permission(
    channel: &mut EmailChannel,
    permission: Permission,
    source: Source,
    reason: Option<String>,
    now: Timestamp,
) {
    let changed = channel.permission != permission
        || channel.opt_in_source.is_none() && channel.opt_out_source.is_none();
    channel.permission = permission;
    if !changed {
        return;
    }
    match permission {
        Permission::Explicit | Permission::Implicit => {
            channel.opt_in_source = Some(source);
            channel.opt_in_date = Some(now);
            channel.opt_out_source = None;
            channel.opt_out_date = None;
            channel.opt_out_reason = None;
            if channel.confirm_status == ConfirmStatus::Pending
                && permission == Permission::Explicit
            {
                channel.confirm_status = ConfirmStatus::Confirmed;
            }
        }
        Permission::Unsubscribed => {
            channel.opt_out_source = Some(source);
            channel.opt_out_date = Some(now);
            channel.opt_out_reason = reason;
        }
        Permission::PendingConfirmation => channel.confirm_status = ConfirmStatus::Pending,
        Permission::NotSet | Permission::TempHold => {}
    }
    channel.updated_at = now;
}
