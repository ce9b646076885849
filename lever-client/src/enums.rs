//! String enums that keep values they do not know (`Other(String)`), so a new value
//! from Lever never fails a page.

macro_rules! string_enum {
    (
        $(#[$doc:meta])*
        $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A value this version of the crate does not know, kept as sent.
            Other(String),
        }

        impl $name {
            /// The value as Lever spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Ok(Self::from(text.as_str()))
            }
        }
    };
}

pub(crate) use string_enum;

string_enum! {
    /// How an opportunity entered the pipeline.
    Origin {
        /// Added by an agency.
        Agency = "agency",
        /// Applied to a posting.
        Applied = "applied",
        /// Internal applicant.
        Internal = "internal",
        /// Referred.
        Referred = "referred",
        /// Sourced by a recruiter.
        Sourced = "sourced",
        /// University recruiting.
        University = "university",
    }
}

string_enum! {
    /// Whether a record is confidential. `All` is only meaningful as a list filter.
    Confidentiality {
        /// Not confidential (the default of list filters).
        NonConfidential = "non-confidential",
        /// Confidential (needs a key or token with confidential access).
        Confidential = "confidential",
        /// Both (filters only).
        All = "all",
    }
}
