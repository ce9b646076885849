//! Declarative helpers every vendor crate needs: string id newtypes and string enums
//! that keep unknown values. Defined once here so the three clients share one shape.

/// Declares string id newtypes: `Default`, (de)serialised as the bare string, `Display`, `From<&str>`,
/// `From<String>`, `AsRef<str>`, `new`, `as_str`.
///
/// ```
/// client_core::string_id! {
///     /// A candidate's id.
///     CandidateId,
/// }
/// let id = CandidateId::from("c-1");
/// assert_eq!(id.to_string(), "c-1");
/// assert_eq!(serde_json::to_string(&id).unwrap(), "\"c-1\"");
/// ```
#[macro_export]
macro_rules! string_id {
    ($($(#[$doc:meta])+ $name:ident),* $(,)?) => {$(
        $(#[$doc])+
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub String);

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                <String as $crate::__private::serde::Deserialize>::deserialize(d).map(Self)
            }
        }

        impl $name {
            /// Wrap an id received from the vendor or stored earlier.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl ::std::convert::From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

/// Declares a string enum with an `Other(String)` arm that keeps values this version
/// does not know, so a new vendor value never fails a page. Serialises to and from the
/// vendor's spelling; a non-string value (a number where a string was expected) is kept
/// in `Other` as its JSON text rather than failing. Implements `FromStr` (infallible).
///
/// ```
/// client_core::open_enum! {
///     /// An application status.
///     Status {
///         /// New.
///         New = "NEW",
///         /// Hired.
///         Hired = "HIRED",
///     }
/// }
/// let s: Status = serde_json::from_str("\"ON_HOLD\"").unwrap();
/// assert_eq!(s, Status::Other("ON_HOLD".into()));
/// let odd: Status = serde_json::from_str("7").unwrap();
/// assert_eq!(odd, Status::Other("7".into()));
/// assert_eq!("HIRED".parse::<Status>(), Ok(Status::Hired));
/// assert_eq!(serde_json::to_string(&Status::Hired).unwrap(), "\"HIRED\"");
/// ```
#[macro_export]
macro_rules! open_enum {
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
            /// The value as the vendor spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(other) => other,
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(text))
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                use $crate::__private::serde_json::Value;
                Ok(match <Value as $crate::__private::serde::Deserialize>::deserialize(d)? {
                    Value::String(text) => Self::from(text.as_str()),
                    other => Self::Other(other.to_string()),
                })
            }
        }
    };
}
