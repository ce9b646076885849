//! Checking what a set of credentials may do, the same way in the three clients:
//! each permission the bridge's workflow needs is probed with one cheap read (a
//! page of one item), and the answer says whether it is granted. A `401` means the
//! credentials themselves are refused; a `403`, that this permission is missing.
//!
//! Write permissions cannot be probed without writing, so they are reported as
//! [`Access::NotProbed`] with the reason: a failed write still names them in its error.

use std::fmt;
use std::future::Future;

use crate::Error;

/// Whether one permission is granted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Access {
    /// The probe succeeded.
    Granted,
    /// The API answered `403` (or its equivalent): the permission is missing.
    Missing,
    /// The API refused the credentials (`401`): nothing can be said about the permission.
    CredentialsRefused,
    /// Not checked, and why (a write permission, or one this account type has no
    /// notion of).
    NotProbed(String),
    /// The probe failed for another reason (network, 5xx…); the text is the error's.
    Failed(String),
}

/// One permission and what probing it found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PermissionCheck {
    /// The vendor's name for the permission (`stages:read:admin`, `jobs_read`…), or a
    /// description where the vendor has no names (Willo).
    pub permission: String,
    /// The call that probed it (`GET /stages`), empty when none was made.
    pub probe: String,
    /// The outcome.
    pub access: Access,
}

impl PermissionCheck {
    /// A permission that was not probed, with the reason.
    pub fn not_probed(permission: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            permission: permission.into(),
            probe: String::new(),
            access: Access::NotProbed(reason.into()),
        }
    }
}

impl fmt::Display for PermissionCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.access {
            Access::Granted => write!(f, "{} granted ({})", self.permission, self.probe),
            Access::Missing => write!(
                f,
                "missing permission `{}` ({} was forbidden)",
                self.permission, self.probe
            ),
            Access::CredentialsRefused => write!(
                f,
                "{}: the credentials were refused ({})",
                self.permission, self.probe
            ),
            Access::NotProbed(reason) => write!(f, "{} not checked: {reason}", self.permission),
            Access::Failed(error) => write!(
                f,
                "{} could not be checked ({}): {error}",
                self.permission, self.probe
            ),
        }
    }
}

/// What a client's credentials may do: one [`PermissionCheck`] per permission the
/// workflow needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccessReport {
    /// The permissions, in the order they were probed.
    pub permissions: Vec<PermissionCheck>,
}

impl AccessReport {
    /// A report of these checks.
    pub fn new(permissions: Vec<PermissionCheck>) -> Self {
        Self { permissions }
    }

    /// Whether the API accepted the credentials: no probe was answered `401`.
    pub fn credentials_valid(&self) -> bool {
        !self
            .permissions
            .iter()
            .any(|p| p.access == Access::CredentialsRefused)
    }

    /// The permissions found missing.
    pub fn missing(&self) -> Vec<&str> {
        self.permissions
            .iter()
            .filter(|p| p.access == Access::Missing)
            .map(|p| p.permission.as_str())
            .collect()
    }
}

/// Probe `permission` with `call` (described as `probe`, `GET /stages`): granted when
/// it succeeds, missing on `403`, refused credentials on `401`.
pub async fn probe<T>(
    permission: impl Into<String>,
    probe: impl Into<String>,
    call: impl Future<Output = crate::Result<T>>,
) -> PermissionCheck {
    let access = match call.await {
        Ok(_) => Access::Granted,
        Err(Error::Unauthorized(_)) => Access::CredentialsRefused,
        Err(error) if error.status().is_some_and(|s| s.as_u16() == 403) => Access::Missing,
        Err(error) => Access::Failed(error.to_string()),
    };
    PermissionCheck {
        permission: permission.into(),
        probe: probe.into(),
        access,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiError;
    use reqwest::StatusCode;

    async fn failing(status: StatusCode) -> crate::Result<()> {
        Err(ApiError::new(status, "no").into_error())
    }

    #[tokio::test]
    async fn statuses_map_to_access() {
        let ok = probe("a", "GET /a", async { crate::Result::Ok(()) }).await;
        assert_eq!(ok.access, Access::Granted);
        let forbidden = probe(
            "stages:read:admin",
            "GET /stages",
            failing(StatusCode::FORBIDDEN),
        )
        .await;
        assert_eq!(forbidden.access, Access::Missing);
        assert_eq!(
            forbidden.to_string(),
            "missing permission `stages:read:admin` (GET /stages was forbidden)"
        );
        let refused = probe("a", "GET /a", failing(StatusCode::UNAUTHORIZED)).await;
        assert_eq!(refused.access, Access::CredentialsRefused);
        let broken = probe("a", "GET /a", failing(StatusCode::BAD_GATEWAY)).await;
        assert!(matches!(broken.access, Access::Failed(_)));

        let report = AccessReport::new(vec![ok, forbidden.clone()]);
        assert!(report.credentials_valid());
        assert_eq!(report.missing(), ["stages:read:admin"]);
        assert!(!AccessReport::new(vec![refused]).credentials_valid());
    }
}
