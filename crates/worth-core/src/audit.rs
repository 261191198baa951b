//! The audit log's entries: who changed which record, when, and how.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString};

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Display, EnumString)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Action {
    /// The record was created.
    Create,
    /// The record was changed.
    Update,
    /// The record was removed.
    Delete,
}

/// One change to one business record, with the record before and after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The entry's sequence number.
    pub id: i64,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// Who made it: a user name or an API token's name.
    pub actor: String,
    /// What happened.
    pub action: Action,
    /// The kind of record, such as `solution`.
    pub entity: String,
    /// The record's key, as a person reads it.
    pub record: String,
    /// The record before the change, `null` for a creation.
    pub before: serde_json::Value,
    /// The record after the change, `null` for a removal.
    pub after: serde_json::Value,
}
