//! Who did something to a contact: the `create_source`, `update_source`, `opt_in_source` and
//! `opt_out_source` every part of the record carries.

use serde::{Deserialize, Serialize};

use super::wire_enum::wire_enum;

wire_enum!(
    /// Who did something: `create_source`, `update_source`, `opt_in_source`, `opt_out_source`.
    Source { Contact = "Contact", Account = "Account" }
);
