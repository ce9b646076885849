//! Candidate properties: the values set on one application
//! (`GET`/`PUT /candidates/{id}/jobs/{jobId}/properties`, the usual place an assessment
//! vendor writes a score or a link) and their definitions under
//! `/configuration/candidate-properties`.
//!
//! Scopes: `candidates_read` to read values, `candidates_manage` to write them,
//! `configuration_read` for the definitions.

use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use crate::applications::application_path;
use crate::common::{Actions, IdLabel, Listing};
use crate::ids::{CandidateId, JobId, UserId};
use crate::{Applications, Configuration};

client_core::open_enum!(
    /// Type of a candidate property; it decides the shape of its value.
    PropertyType {
        /// `true` or `false`.
        Boolean = "BOOLEAN",
        /// Lower-case ISO 3166-1 alpha-2 code (`us`).
        Country = "COUNTRY",
        /// `{code, value}`: an ISO 4217 code and an amount.
        Currency = "CURRENCY",
        /// ISO-8601 date-time.
        Date = "DATE",
        /// A number.
        Number = "NUMBER",
        /// A number (percent).
        Percent = "PERCENT",
        /// Lower-case ISO 3166-2 code (`us-wa`).
        Region = "REGION",
        /// Free text (also where a link goes: SmartRecruiters documents no URL type).
        Text = "TEXT",
        /// A user id.
        User = "USER",
        /// The id of one of the property's values
        /// ([`Configuration::candidate_property_values`]).
        SingleSelect = "SINGLE_SELECT",
    }
);

/// A property value, shaped as its [`PropertyType`] requires on the wire.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PropertyValue {
    /// `BOOLEAN`.
    Boolean(bool),
    /// `COUNTRY` (`us`).
    Country(String),
    /// `CURRENCY`: ISO 4217 code and amount.
    Currency {
        /// Currency code (`GBP`).
        code: String,
        /// Amount.
        value: Number,
    },
    /// `DATE` (ISO-8601, `2015-11-17T23:00:00.000Z`).
    Date(String),
    /// `NUMBER`.
    Number(Number),
    /// `PERCENT`.
    Percent(Number),
    /// `REGION` (`us-wa`).
    Region(String),
    /// `TEXT`.
    Text(String),
    /// `USER`: a user id.
    User(UserId),
    /// `SINGLE_SELECT`: the id of the chosen value.
    SingleSelect(String),
    /// A value of a type this version does not know, or not in its type's shape,
    /// kept as received (and sent as given).
    Other(Value),
}

impl PropertyValue {
    /// A `TEXT` value.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    /// A `NUMBER` value. Whole numbers are sent without a fraction (`42`, not `42.0`);
    /// a non-finite number becomes `Other(null)`, which SmartRecruiters will refuse.
    pub fn number(number: f64) -> Self {
        json_number(number).map_or(Self::Other(Value::Null), Self::Number)
    }

    /// A `SINGLE_SELECT` value: the id of one of the property's values.
    pub fn single_select(value_id: impl Into<String>) -> Self {
        Self::SingleSelect(value_id.into())
    }

    /// A `DATE` value (ISO-8601).
    pub fn date(at: impl Into<String>) -> Self {
        Self::Date(at.into())
    }

    /// The JSON SmartRecruiters expects for this value.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Boolean(b) => Value::Bool(*b),
            Self::Country(s) | Self::Date(s) | Self::Region(s) | Self::Text(s) => {
                Value::String(s.clone())
            }
            Self::SingleSelect(s) => Value::String(s.clone()),
            Self::User(id) => Value::String(id.to_string()),
            Self::Currency { code, value } => {
                serde_json::json!({ "code": code, "value": value })
            }
            Self::Number(n) | Self::Percent(n) => Value::Number(n.clone()),
            Self::Other(v) => v.clone(),
        }
    }

    /// Read `value` as a value of type `kind`; a shape that does not fit the type is
    /// kept as [`PropertyValue::Other`].
    pub fn from_json(kind: &PropertyType, value: Value) -> Self {
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let typed = match kind {
            PropertyType::Boolean => value.as_bool().map(Self::Boolean),
            PropertyType::Country => text(&value).map(Self::Country),
            PropertyType::Date => text(&value).map(Self::Date),
            PropertyType::Region => text(&value).map(Self::Region),
            PropertyType::Text => text(&value).map(Self::Text),
            PropertyType::User => text(&value).map(|id| Self::User(id.into())),
            PropertyType::Number => value.as_number().cloned().map(Self::Number),
            PropertyType::Percent => value.as_number().cloned().map(Self::Percent),
            // Written as the value id; read back either so or as `{id, label}`.
            PropertyType::SingleSelect => text(&value)
                .or_else(|| value.get("id").and_then(text))
                .map(Self::SingleSelect),
            PropertyType::Currency => {
                match (value.get("code").and_then(text), value.get("value")) {
                    (Some(code), Some(Value::Number(n))) => Some(Self::Currency {
                        code,
                        value: n.clone(),
                    }),
                    _ => None,
                }
            }
            PropertyType::Other(_) => None,
        };
        typed.unwrap_or(Self::Other(value))
    }
}

fn json_number(number: f64) -> Option<Number> {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        // Exact: the check above keeps the value within i64's exactly representable range.
        #[allow(clippy::cast_possible_truncation)]
        return Some(Number::from(number as i64));
    }
    Number::from_f64(number)
}

impl Serialize for PropertyValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// One entry of `PUT /candidates/{id}/jobs/{jobId}/properties`: set a value, or reset
/// it (an entry without `value`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PropertyValueInput {
    /// The property id.
    pub id: String,
    /// The value; `None` resets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<PropertyValue>,
}

impl PropertyValueInput {
    /// Set property `id` to `value`.
    pub fn set(id: impl Into<String>, value: PropertyValue) -> Self {
        Self {
            id: id.into(),
            value: Some(value),
        }
    }

    /// Reset property `id`.
    pub fn reset(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            value: None,
        }
    }
}

/// A property with its value on one application.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CandidateProperty {
    /// Property id.
    pub id: String,
    /// Property label.
    #[serde(default)]
    pub label: Option<String>,
    /// Property type.
    #[serde(default, rename = "type")]
    pub kind: Option<PropertyType>,
    /// The value as received; read it typed with [`CandidateProperty::typed_value`].
    #[serde(default)]
    pub value: Option<Value>,
    /// Label of the value (single-select), as received.
    #[serde(default)]
    pub value_label: Option<Value>,
    /// Links.
    #[serde(default)]
    pub actions: Actions,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CandidateProperty {
    /// The value read by the property's type (`None` when unset).
    pub fn typed_value(&self) -> Option<PropertyValue> {
        let value = self.value.clone().filter(|v| !v.is_null())?;
        let kind = self
            .kind
            .clone()
            .unwrap_or_else(|| PropertyType::Other(String::new()));
        Some(PropertyValue::from_json(&kind, value))
    }
}

/// A candidate property as configured (`GET /configuration/candidate-properties`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PropertyDefinition {
    /// Property id.
    pub id: String,
    /// Label.
    #[serde(default)]
    pub label: Option<String>,
    /// Type.
    #[serde(default, rename = "type")]
    pub kind: Option<PropertyType>,
    /// Where the property shows (`toUsers`, `context`, `forOrgFields`), as received.
    #[serde(default)]
    pub availability: Option<Map<String, Value>>,
    /// Links.
    #[serde(default)]
    pub actions: Actions,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn properties_path(candidate: &CandidateId, job: &JobId) -> String {
    format!("{}/properties", application_path(candidate, job))
}

fn definition_path(id: &str) -> String {
    format!("/configuration/candidate-properties/{}", encode_segment(id))
}

impl Applications<'_> {
    /// `GET /candidates/{id}/jobs/{jobId}/properties[?context=…]`: the properties set on
    /// an application. SmartRecruiters answers `{}` when none is set, read here as an
    /// empty list; any other answer without `content` is an error. Scope:
    /// `candidates_read`.
    pub async fn properties(
        &self,
        candidate: &CandidateId,
        job: &JobId,
        context: Option<&str>,
    ) -> Result<Vec<CandidateProperty>> {
        let raw = self
            .client
            .transport
            .get(properties_path(candidate, job))
            .query_opt("context", context)
            .send_raw()
            .await?;
        let documented_empty = serde_json::from_slice::<Map<String, Value>>(&raw.body)
            .is_ok_and(|object| object.is_empty());
        if documented_empty {
            return Ok(Vec::new());
        }
        Ok(raw.json::<Listing<CandidateProperty>>()?.content)
    }

    /// `PUT /candidates/{id}/jobs/{jobId}/properties`: set (or reset) several values at
    /// once. Setting the same values again leaves the same state, so the call is
    /// retried like a read. Scope: `candidates_manage`.
    pub async fn set_properties(
        &self,
        candidate: &CandidateId,
        job: &JobId,
        values: &[PropertyValueInput],
    ) -> Result<()> {
        self.client
            .transport
            .put(properties_path(candidate, job))
            .json(values)
            .send_empty()
            .await
    }
}

impl Configuration<'_> {
    /// `GET /configuration/candidate-properties`. Scope: `configuration_read`.
    pub async fn candidate_properties(&self) -> Result<Vec<PropertyDefinition>> {
        self.listing("/configuration/candidate-properties").await
    }

    /// `GET /configuration/candidate-properties/{id}`. Scope: `configuration_read`.
    pub async fn candidate_property(&self, id: &str) -> Result<PropertyDefinition> {
        self.client.transport.get(definition_path(id)).send().await
    }

    /// `GET /configuration/candidate-properties/{id}/values`: the choices of a
    /// `SINGLE_SELECT` property (their ids go in [`PropertyValue::SingleSelect`]). Scope:
    /// `configuration_read`.
    pub async fn candidate_property_values(&self, id: &str) -> Result<Vec<IdLabel>> {
        self.listing(format!("{}/values", definition_path(id)))
            .await
    }
}
