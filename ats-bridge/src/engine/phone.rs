//! The phone number sent with an invite. Willo wants E.164 (`+447700900123`); a number
//! in any other form must not cost the candidate their invite, so it is left out (the
//! invite goes by e-mail) and the row carries a warning. With the `phone-numbers`
//! feature and a default region for the connection
//! ([`EngineConfig::phone_regions`](super::EngineConfig)), national numbers such as
//! `07700 900123` are normalised first.

use crate::model::AtsName;
use willo_client::is_e164;

/// The phone for the invite, and the warning to record when one was left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct InvitePhone {
    /// The number to send, E.164.
    pub(crate) phone: Option<String>,
    /// Why the ATS's number was left out (no personal data).
    pub(crate) warning: Option<String>,
}

/// The phone to send for `raw` (the ATS's number), with the connection's default
/// `region` (an ISO 3166 code such as `GB`) when one is configured.
pub(crate) fn invite_phone(raw: Option<&str>, region: Option<&str>) -> InvitePhone {
    let Some(raw) = raw.map(str::trim).filter(|p| !p.is_empty()) else {
        return InvitePhone::default();
    };
    if is_e164(raw) {
        return InvitePhone {
            phone: Some(raw.to_owned()),
            warning: None,
        };
    }
    if let Some(phone) = region.and_then(|region| normalise(raw, region)) {
        return InvitePhone {
            phone: Some(phone),
            warning: None,
        };
    }
    let how = match region {
        Some(region) if cfg!(feature = "phone-numbers") => {
            format!("is not a valid number, even read as a number of region {region}")
        }
        _ => "is not in E.164 form (+447700900123)".to_owned(),
    };
    InvitePhone {
        phone: None,
        warning: Some(format!(
            "the candidate's phone number {how}; invited by e-mail only"
        )),
    }
}

/// `raw` as E.164, read as a number of `region`, if it is a valid number.
#[cfg(feature = "phone-numbers")]
fn normalise(raw: &str, region: &str) -> Option<String> {
    let region: phonenumber::country::Id = region.parse().ok()?;
    let number = phonenumber::parse(Some(region), raw).ok()?;
    number
        .is_valid()
        .then(|| number.format().mode(phonenumber::Mode::E164).to_string())
}

#[cfg(not(feature = "phone-numbers"))]
fn normalise(_raw: &str, _region: &str) -> Option<String> {
    None
}

/// Whether `region` (the default region of ATS `ats`) names a region the normaliser
/// knows: checked when the engine is built, so a typo fails at start-up rather than as
/// warnings on every row.
#[cfg(feature = "phone-numbers")]
pub(crate) fn check_region(ats: &AtsName, region: &str) -> Result<(), String> {
    match region.parse::<phonenumber::country::Id>() {
        Ok(_) => Ok(()),
        Err(_) => Err(format!(
            "phone_regions[{ats}]: `{region}` is not a region code (such as GB)"
        )),
    }
}

/// Without the normaliser no region can be used: say which feature it needs.
#[cfg(not(feature = "phone-numbers"))]
pub(crate) fn check_region(ats: &AtsName, region: &str) -> Result<(), String> {
    Err(format!(
        "phone_regions[{ats}] = `{region}` needs ats-bridge's `phone-numbers` feature"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_numbers_pass_and_others_become_a_warning() {
        assert_eq!(invite_phone(None, None), InvitePhone::default());
        assert_eq!(invite_phone(Some("  "), None), InvitePhone::default());
        let ok = invite_phone(Some(" +447700900123 "), None);
        assert_eq!(ok.phone.as_deref(), Some("+447700900123"));
        assert_eq!(ok.warning, None);
        let national = invite_phone(Some("07700 900123"), None);
        assert_eq!(national.phone, None);
        let warning = national.warning.expect("a warning");
        assert!(warning.contains("not in E.164 form"), "{warning}");
        assert!(!warning.contains("07700"), "no personal data: {warning}");
    }

    #[cfg(feature = "phone-numbers")]
    #[test]
    fn national_numbers_are_normalised_with_the_default_region() {
        let gb = invite_phone(Some("07911 123456"), Some("GB"));
        assert_eq!(gb.phone.as_deref(), Some("+447911123456"));
        assert_eq!(gb.warning, None);
        let bad = invite_phone(Some("12"), Some("GB"));
        assert_eq!(bad.phone, None);
        assert!(bad.warning.unwrap().contains("region GB"));
        let lever = AtsName::from("lever");
        assert!(check_region(&lever, "GB").is_ok());
        let typo = check_region(&lever, "XX").unwrap_err();
        assert!(typo.contains("`XX` is not a region code"), "{typo}");
    }

    #[cfg(not(feature = "phone-numbers"))]
    #[test]
    fn without_the_feature_a_region_changes_nothing() {
        let national = invite_phone(Some("07700 900123"), Some("GB"));
        assert_eq!(national.phone, None);
        assert!(national.warning.unwrap().contains("not in E.164 form"));
    }
}
