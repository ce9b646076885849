//! JSON decoding that says where it failed.

use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, Result, excerpt};

/// Decode `body` as `T`. On failure the error names the JSON path of the value that did
/// not fit (`results[2].owner.key`) and carries the start of the body.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        Error::Decode {
            path,
            message: err.into_inner().to_string(),
            excerpt: excerpt(body, ApiError::EXCERPT_LIMIT),
        }
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Page {
        results: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        key: String,
    }

    #[test]
    fn decode_error_names_the_path() {
        let err = json::<Page>(br#"{"results":[{"key":"a"},{"key":7}]}"#).unwrap_err();
        match err {
            Error::Decode {
                path,
                message,
                excerpt,
            } => {
                assert_eq!(path, "results[1].key");
                assert!(message.contains("invalid type"), "{message}");
                assert!(excerpt.starts_with("{\"results\""));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
