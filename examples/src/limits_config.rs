//! The server's fleet-wide pacing of each vendor in its configuration file:
//! `[limits.willo]`, `[limits.lever]` and `[limits.smartrecruiters]`, each with the
//! keys of a connection's own limits (`ats_bridge::connection::LimitOverrides`:
//! `per_second`, `burst`, `max_in_flight`, and per endpoint class under `classes`),
//! every one optional and laid over the client's `default_limits()`.
//!
//! Willo publishes no rate limits (it throttles, and raises the threshold on request),
//! so its client's defaults are a guess an operator may need to change; Lever and
//! SmartRecruiters grant some accounts other quotas than documented.
//!
//! The file's shape mirrors `LimitOverrides` rather than reusing it: the connection
//! JSON tolerates keys a newer version may add, while the file refuses unknown keys
//! like every other section (a misspelt `per_secnd` must not silently keep the
//! default). The values are checked by `LimitOverrides::validate`, so both take the
//! same bounds.

use std::collections::BTreeMap;

use ats_bridge::connection::{
    AdapterBuilder, InvalidLimits, LimitOverrides, LimitProblem, LimitValues,
};
use client_core::RateLimits;
use lever_client::LeverClient;
use serde::Deserialize;
use smartrecruiters_client::SmartRecruitersClient;
use willo_client::WilloClient;

/// `[limits]`: each vendor's pacing, for every credential of it the server uses.
/// A vendor left out keeps its client's `default_limits()`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// `[limits.willo]`.
    #[serde(default)]
    pub willo: Option<VendorLimitSettings>,
    /// `[limits.smartrecruiters]`.
    #[serde(default)]
    pub smartrecruiters: Option<VendorLimitSettings>,
    /// `[limits.lever]`.
    #[serde(default)]
    pub lever: Option<VendorLimitSettings>,
}

/// One vendor's section: the limits of each of its credentials as a whole, and of
/// endpoint classes under `classes`. Each key left out keeps the client's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorLimitSettings {
    /// Sustained requests per second.
    #[serde(default)]
    pub per_second: Option<u32>,
    /// Requests that may go out at once after an idle spell.
    #[serde(default)]
    pub burst: Option<u32>,
    /// Requests in flight at once.
    #[serde(default)]
    pub max_in_flight: Option<u32>,
    /// Limits of one endpoint class on top of the credential's
    /// (`[limits.smartrecruiters.classes."candidates.list"]`): SmartRecruiters'
    /// `candidates.list` and `publication`, Willo's `participants.invite`.
    #[serde(default)]
    pub classes: BTreeMap<String, ClassLimitSettings>,
}

/// The limits of one endpoint class; each key left out keeps the value beneath.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassLimitSettings {
    /// Sustained requests per second.
    #[serde(default)]
    pub per_second: Option<u32>,
    /// Requests that may go out at once after an idle spell.
    #[serde(default)]
    pub burst: Option<u32>,
    /// Requests in flight at once.
    #[serde(default)]
    pub max_in_flight: Option<u32>,
}

/// The limits each vendor's clients are paced at, where the configuration sets them
/// (`None`: the client's `default_limits()`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VendorLimits {
    /// Every Willo credential's.
    pub willo: Option<RateLimits>,
    /// Every SmartRecruiters credential's.
    pub smartrecruiters: Option<RateLimits>,
    /// Every Lever credential's.
    pub lever: Option<RateLimits>,
}

impl VendorLimits {
    /// `adapters` pacing each vendor set here at its limits (a connection's own
    /// limits still win over them, value by value).
    pub fn adapters(&self, mut adapters: AdapterBuilder) -> AdapterBuilder {
        for (vendor, limits) in self.by_vendor() {
            adapters = adapters.limits(vendor, limits.clone());
        }
        adapters
    }

    /// The vendors set here, by the name `AdapterBuilder::limits` knows them by.
    fn by_vendor(&self) -> impl Iterator<Item = (&'static str, &RateLimits)> {
        [
            ("willo", &self.willo),
            ("smartrecruiters", &self.smartrecruiters),
            ("lever", &self.lever),
        ]
        .into_iter()
        .filter_map(|(vendor, limits)| Some((vendor, limits.as_ref()?)))
    }
}

impl LimitSettings {
    /// Each configured vendor's limits: its section's values over its client's
    /// `default_limits()`. Call [`LimitSettings::check`] first (loading the file does).
    pub fn vendor_limits(&self) -> VendorLimits {
        let over = |section: &Option<VendorLimitSettings>, default: fn() -> RateLimits| {
            section.as_ref().map(|s| s.overrides().apply(&default()))
        };
        VendorLimits {
            willo: over(&self.willo, WilloClient::default_limits),
            smartrecruiters: over(&self.smartrecruiters, SmartRecruitersClient::default_limits),
            lever: over(&self.lever, LeverClient::default_limits),
        }
    }

    /// Why a section cannot pace its vendor, naming the section and the key:
    /// `[limits.lever] per_second is 0 …`. The bounds are a connection's
    /// (`LimitOverrides::validate`).
    pub fn check(&self) -> Result<(), String> {
        for (vendor, section) in [
            ("willo", &self.willo),
            ("smartrecruiters", &self.smartrecruiters),
            ("lever", &self.lever),
        ] {
            if let Some(section) = section {
                section
                    .overrides()
                    .validate(vendor)
                    .map_err(|invalid| problem(vendor, &invalid))?;
            }
        }
        Ok(())
    }
}

impl VendorLimitSettings {
    /// These settings as a connection's limits would be written.
    pub fn overrides(&self) -> LimitOverrides {
        let credential = ClassLimitSettings {
            per_second: self.per_second,
            burst: self.burst,
            max_in_flight: self.max_in_flight,
        };
        let mut overrides = LimitOverrides::new();
        overrides.credential = credential.values();
        for (name, class) in &self.classes {
            overrides = overrides.class(name.clone(), class.values());
        }
        overrides
    }
}

impl ClassLimitSettings {
    /// These values as a connection's would be written.
    fn values(self) -> LimitValues {
        let mut values = LimitValues::new();
        values.per_second = self.per_second;
        values.burst = self.burst;
        values.max_in_flight = self.max_in_flight;
        values
    }
}

/// The message for `invalid` in `[limits.{vendor}]`.
fn problem(vendor: &str, invalid: &InvalidLimits) -> String {
    let what = match &invalid.problem {
        // The connection's wording sends the reader to "the fleet's value": here the
        // value beneath is the client's default.
        LimitProblem::Zero => {
            "is 0, which the clients read as \"no limit\": leave it out to keep the \
             client's default"
                .to_owned()
        }
        other => other.to_string(),
    };
    format!("[limits.{vendor}] {} {what}", invalid.field)
}
