//! Field mapping: Willo's data written into the ATS fields each team chooses.
//!
//! A mapping belongs to one ATS connection and is declared in the rules file under
//! `[mapping.<connection>]`. Each `[[mapping.<connection>.field]]` line sends a
//! [`Source`] (a Willo variable) to a [`Target`] (an ATS field), optionally
//! **mandatory** (a write-back that cannot fill it waits, with the reason on the
//! row) or **protected** (a value already in the ATS, a recruiter's, is never
//! overwritten). `contact_updates` pushes a participant's corrected e-mail and phone;
//! `create_candidates` and `notes_only_to_linked` decide what screening does. The
//! default maps nothing: the bridge writes its note and labels as it always did.
//!
//! ```
//! use ats_bridge::mapping::{Source, Target};
//! use ats_bridge::rules::Rules;
//!
//! let rules = Rules::from_toml(r#"
//!     [mapping.smartrecruiters]
//!     [[mapping.smartrecruiters.field]]
//!     source = "results.score"
//!     target = "property:willo-score"
//!     mandatory = true
//!
//!     [[mapping.smartrecruiters.field]]
//!     source = "results.review_link"
//!     target = "property:willo-review"
//!     protected = true
//! "#)?;
//! let mapping = &rules.mapping[&"smartrecruiters".into()];
//! assert_eq!(mapping.fields[0].source, Source::ResultsScore);
//! assert_eq!(mapping.fields[1].target, Target::Property("willo-review".into()));
//! # Ok::<_, ats_bridge::rules::RulesError>(())
//! ```
//!
//! The rules are checked when loaded (sources, targets, types that cannot fit) and
//! against the live ATS by [`live_checks`] (`setup verify`, a server's start): a
//! property that does not exist, a value of the wrong type, a select option that is
//! not defined. Adapters take part through three [`Ats`](crate::Ats) methods:
//! [`mapping_targets`](crate::Ats::mapping_targets),
//! [`mapped_values`](crate::Ats::mapped_values) and
//! [`write_mapped`](crate::Ats::write_mapped).

mod config;
mod live;
pub(crate) mod plan;
mod source;
mod target;
mod value;

use std::collections::BTreeMap;

pub use config::{ConnectionMapping, CreateCandidates, FieldMapping};
pub use live::{live_checks, validate_against};
pub use source::{Source, SourceData};
pub use target::{ContactField, MappableTarget, MappedField, Target};
pub use value::{MappedValue, TargetOption, ValueKind};

use crate::model::AtsName;
use crate::rules::{Rules, RulesError};

/// The mappings of a rules file, by ATS connection.
pub type Mappings = BTreeMap<AtsName, ConnectionMapping>;

/// Check every connection's mapping (the rules' validation calls this).
pub(crate) fn validate_all(mappings: &Mappings) -> Result<(), RulesError> {
    mappings
        .iter()
        .try_for_each(|(ats, mapping)| mapping.validate(ats))
}

impl Rules {
    /// Set the mapping of ATS connection `ats`.
    pub fn map(mut self, ats: impl Into<AtsName>, mapping: ConnectionMapping) -> Self {
        self.mapping.insert(ats.into(), mapping);
        self
    }

    /// The mapping of `ats` (the default, mapping nothing, when none is declared).
    pub fn mapping_for(&self, ats: &AtsName) -> &ConnectionMapping {
        static NONE: std::sync::OnceLock<ConnectionMapping> = std::sync::OnceLock::new();
        self.mapping
            .get(ats)
            .unwrap_or_else(|| NONE.get_or_init(ConnectionMapping::default))
    }
}
