//! Reading request bodies: the three vendors send lists of strings alike.

use serde_json::Value;

/// The strings in `value` when it is a JSON array (other items skipped); `None` when it
/// is missing or not an array, for the endpoints that refuse that.
pub(crate) fn string_array(value: Option<&Value>) -> Option<Vec<String>> {
    let items = value?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

/// The strings in `value`, or none when it is missing or not an array.
pub(crate) fn strings(value: Option<&Value>) -> Vec<String> {
    string_array(value).unwrap_or_default()
}
