//! A connection's own pacing of its vendors: for its Willo account and for each ATS
//! account, the requests per second, burst and requests in flight its credential is
//! held to where the customer's contract differs from the fleet's settings (Willo
//! publishes no numbers and raises them on request; Lever and SmartRecruiters grant
//! accounts different quotas).
//!
//! Every value left out keeps the fleet's (`AdapterBuilder::limits`), else the
//! client's `default_limits()`. Values are checked when a connection is added or
//! changed: a 0, which the clients read as "no limit", or a value no vendor grants,
//! is refused with an [`InvalidLimits`].

use std::collections::BTreeMap;

use client_core::{LimitSpec, RateLimits};
use serde::{Deserialize, Serialize};

/// The most requests per second a connection may set (no vendor grants one key more).
pub const MAX_PER_SECOND: u32 = 1_000;
/// The largest burst a connection may set.
pub const MAX_BURST: u32 = 1_000;
/// The most requests in flight a connection may set.
pub const MAX_IN_FLIGHT: u32 = 256;
/// The most endpoint classes one account's limits may name.
pub const MAX_CLASSES: usize = 16;
/// The longest endpoint class name.
const MAX_CLASS_NAME_LEN: usize = 64;

/// Limits for one scope (a credential as a whole, or one endpoint class of it); each
/// `None` keeps the value beneath it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LimitValues {
    /// Sustained requests per second (1 to [`MAX_PER_SECOND`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_second: Option<u32>,
    /// Requests that may go out at once after an idle spell (1 to [`MAX_BURST`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<u32>,
    /// Requests in flight at once (1 to [`MAX_IN_FLIGHT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<u32>,
}

impl LimitValues {
    /// No value: everything from beneath.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sustained requests per second.
    pub fn per_second(mut self, n: u32) -> Self {
        self.per_second = Some(n);
        self
    }

    /// The burst after an idle spell.
    pub fn burst(mut self, n: u32) -> Self {
        self.burst = Some(n);
        self
    }

    /// Requests in flight at once.
    pub fn max_in_flight(mut self, n: u32) -> Self {
        self.max_in_flight = Some(n);
        self
    }

    /// `spec` with these values in place of its own.
    pub fn apply(&self, mut spec: LimitSpec) -> LimitSpec {
        if let Some(n) = self.per_second {
            spec = spec.per_second(n);
        }
        if let Some(n) = self.burst {
            spec = spec.burst(n);
        }
        if let Some(n) = self.max_in_flight {
            spec = spec.max_in_flight(usize::try_from(n).unwrap_or(usize::MAX));
        }
        spec
    }

    /// Each value within its bounds; `at` prefixes the field names in the error.
    fn check(&self, account: &str, at: &str) -> Result<(), InvalidLimits> {
        for (field, value, max) in [
            ("per_second", self.per_second, MAX_PER_SECOND),
            ("burst", self.burst, MAX_BURST),
            ("max_in_flight", self.max_in_flight, MAX_IN_FLIGHT),
        ] {
            let problem = match value {
                Some(0) => LimitProblem::Zero,
                Some(value) if value > max => LimitProblem::TooHigh { value, max },
                _ => continue,
            };
            return Err(InvalidLimits::new(account, format!("{at}{field}"), problem));
        }
        Ok(())
    }
}

/// One account's limits where they differ from the fleet's: the credential's, and
/// optionally an endpoint class's (SmartRecruiters' `candidates.list` and
/// `publication`, Willo's `participants.invite`).
///
/// As JSON, in a connection's `willo_limits` or an ATS account's `limits`:
/// `{"per_second": 5, "burst": 10, "max_in_flight": 4, "classes": {"candidates.list":
/// {"max_in_flight": 1}}}`, every key optional.
///
/// ```
/// use ats_bridge::connection::{LimitOverrides, LimitValues};
/// use client_core::{LimitSpec, RateLimits};
///
/// let fleet = RateLimits::new(LimitSpec::default().per_second(10).burst(20));
/// let acme = LimitOverrides::new().per_second(4);
/// // What acme leaves out (the burst) stays the fleet's.
/// assert_eq!(acme.apply(&fleet).credential(), LimitSpec::default().per_second(4).burst(20));
/// assert!(LimitOverrides::new().per_second(0).validate("lever").is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LimitOverrides {
    /// Every request of the credential.
    #[serde(flatten)]
    pub credential: LimitValues,
    /// Requests of one endpoint class, on top of the credential's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub classes: BTreeMap<String, LimitValues>,
}

impl LimitOverrides {
    /// No override: the fleet's limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sustained requests per second of the credential.
    pub fn per_second(mut self, n: u32) -> Self {
        self.credential = self.credential.per_second(n);
        self
    }

    /// The credential's burst after an idle spell.
    pub fn burst(mut self, n: u32) -> Self {
        self.credential = self.credential.burst(n);
        self
    }

    /// The credential's requests in flight at once.
    pub fn max_in_flight(mut self, n: u32) -> Self {
        self.credential = self.credential.max_in_flight(n);
        self
    }

    /// The limits of endpoint class `name`, on top of the credential's.
    pub fn class(mut self, name: impl Into<String>, values: LimitValues) -> Self {
        self.classes.insert(name.into(), values);
        self
    }

    /// `base` (the fleet's or the client's default limits) with these values in
    /// place of its own; the classes these leave out keep `base`'s.
    pub fn apply(&self, base: &RateLimits) -> RateLimits {
        let mut limits = base
            .clone()
            .with_credential(self.credential.apply(base.credential()));
        for (name, values) in &self.classes {
            let beneath = base.class_spec(name).unwrap_or_default();
            limits = limits.class(name.clone(), values.apply(beneath));
        }
        limits
    }

    /// Whether these limits can pace `account` (`willo` or an ATS account's name,
    /// for the error): no 0 (the clients read it as "no limit"), nothing above the
    /// `MAX_*` bounds, at most [`MAX_CLASSES`] classes with names of ASCII letters,
    /// digits, `.`, `-` and `_`.
    pub fn validate(&self, account: &str) -> Result<(), InvalidLimits> {
        self.credential.check(account, "")?;
        if self.classes.len() > MAX_CLASSES {
            return Err(InvalidLimits::new(
                account,
                "classes",
                LimitProblem::TooManyClasses { max: MAX_CLASSES },
            ));
        }
        for (name, values) in &self.classes {
            let valid = !name.is_empty()
                && name.len() <= MAX_CLASS_NAME_LEN
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
            if !valid {
                // The name is not shown: it may be anything, of any length.
                return Err(InvalidLimits::new(
                    account,
                    "classes",
                    LimitProblem::ClassName,
                ));
            }
            values.check(account, &format!("classes.{name}."))?;
        }
        Ok(())
    }
}

/// Why a connection's limits were refused: which account, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the limits of `{account}`: {field} {problem}")]
#[non_exhaustive]
pub struct InvalidLimits {
    /// `willo`, or the ATS account's name.
    pub account: String,
    /// The field, as in the JSON (`per_second`, `classes.candidates.list.burst`).
    pub field: String,
    /// What is wrong with it.
    pub problem: LimitProblem,
}

impl InvalidLimits {
    fn new(account: &str, field: impl Into<String>, problem: LimitProblem) -> Self {
        Self {
            account: account.to_owned(),
            field: field.into(),
            problem,
        }
    }
}

/// What is wrong with one limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitProblem {
    /// 0, which the clients would read as "no limit".
    #[error("is 0: leave it out to keep the fleet's value")]
    Zero,
    /// More than the bridge accepts.
    #[error("is {value}, more than the {max} accepted")]
    TooHigh {
        /// The value given.
        value: u32,
        /// The most accepted.
        max: u32,
    },
    /// More endpoint classes than accepted.
    #[error("names more than {max} endpoint classes")]
    TooManyClasses {
        /// The most accepted.
        max: usize,
    },
    /// A class name that is empty, too long, or has characters no class has.
    #[error("has a name that is not an endpoint class (1-64 ASCII letters, digits, '.', '-', '_')")]
    ClassName,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lever_default() -> RateLimits {
        RateLimits::new(LimitSpec::default().per_second(10).burst(20))
            .class("candidates.list", LimitSpec::default().max_in_flight(1))
    }

    #[test]
    fn values_left_out_keep_those_beneath() {
        let limits = LimitOverrides::new()
            .per_second(3)
            .max_in_flight(2)
            .class("publication", LimitValues::new().per_second(1))
            .apply(&lever_default());
        assert_eq!(
            limits.credential(),
            LimitSpec::default()
                .per_second(3)
                .burst(20)
                .max_in_flight(2)
        );
        // A class it does not name keeps the base's; one it names is added.
        assert_eq!(
            limits.class_spec("candidates.list"),
            Some(LimitSpec::default().max_in_flight(1))
        );
        assert_eq!(
            limits.class_spec("publication"),
            Some(LimitSpec::default().per_second(1))
        );
        // No override at all changes nothing.
        assert_eq!(
            LimitOverrides::new().apply(&lever_default()),
            lever_default()
        );
    }

    #[test]
    fn json_round_trips_and_absent_keys_are_none() {
        let limits = LimitOverrides::new()
            .per_second(5)
            .burst(10)
            .class("candidates.list", LimitValues::new().max_in_flight(1));
        let json = serde_json::to_value(&limits).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "per_second": 5,
                "burst": 10,
                "classes": {"candidates.list": {"max_in_flight": 1}}
            })
        );
        assert_eq!(
            serde_json::from_value::<LimitOverrides>(json).unwrap(),
            limits
        );
        // Keys a newer version may add are tolerated.
        let read: LimitOverrides =
            serde_json::from_str(r#"{"max_in_flight": 2, "jitter_ms": 5}"#).unwrap();
        assert_eq!(read, LimitOverrides::new().max_in_flight(2));
        assert!(serde_json::from_str::<LimitOverrides>(r#"{"per_second": -1}"#).is_err());
    }

    #[test]
    fn zero_and_absurd_values_are_refused_naming_the_field() {
        let zero = LimitOverrides::new()
            .burst(0)
            .validate("lever")
            .unwrap_err();
        assert_eq!(zero.account, "lever");
        assert_eq!(zero.field, "burst");
        assert_eq!(zero.problem, LimitProblem::Zero);
        assert_eq!(
            zero.to_string(),
            "the limits of `lever`: burst is 0: leave it out to keep the fleet's value"
        );

        let high = LimitOverrides::new()
            .per_second(MAX_PER_SECOND + 1)
            .validate("willo")
            .unwrap_err();
        assert_eq!(
            high.problem,
            LimitProblem::TooHigh {
                value: MAX_PER_SECOND + 1,
                max: MAX_PER_SECOND
            }
        );
        let class = LimitOverrides::new()
            .class(
                "candidates.list",
                LimitValues::new().max_in_flight(MAX_IN_FLIGHT + 1),
            )
            .validate("smartrecruiters")
            .unwrap_err();
        assert_eq!(class.field, "classes.candidates.list.max_in_flight");

        let named = LimitOverrides::new()
            .class("no spaces", LimitValues::new().per_second(1))
            .validate("lever")
            .unwrap_err();
        assert_eq!(named.problem, LimitProblem::ClassName);
        let many = (0..=MAX_CLASSES).fold(LimitOverrides::new(), |limits, i| {
            limits.class(format!("class-{i}"), LimitValues::new().per_second(1))
        });
        assert_eq!(
            many.validate("lever").unwrap_err().problem,
            LimitProblem::TooManyClasses { max: MAX_CLASSES }
        );

        let bounds = LimitOverrides::new()
            .per_second(MAX_PER_SECOND)
            .burst(1)
            .max_in_flight(MAX_IN_FLIGHT)
            .class("participants.invite", LimitValues::new().per_second(1));
        assert_eq!(bounds.validate("willo"), Ok(()));
    }
}
