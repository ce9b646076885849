//! JSON decoding that says where it failed.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Decode `body` as `T`. On failure the error names the JSON path of the value that did
/// not fit (`results[2].owner.key`) and the kind of value found and expected, never the
/// value itself or any other part of the body: a response can hold tokens or a
/// candidate's name and e-mail, and errors end up in logs.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        Error::Decode {
            path,
            message: crate::redact::serde_message(&err.into_inner()),
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
            Error::Decode { path, message } => {
                assert_eq!(path, "results[1].key");
                assert_eq!(message, "invalid type: integer, expected a string");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Token {
        access_token: String,
        expires_in: u64,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Candidate {
        email: String,
        age: u32,
    }

    #[test]
    fn a_token_response_of_another_shape_keeps_its_tokens_out_of_the_error() {
        let body =
            br#"{"access_token":"AT-secret-1","refresh_token":"RT-secret-2","expires_in":"soon"}"#;
        let err = json::<Token>(body).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("secret") && !text.contains("soon"), "{text}");
        assert!(
            text.contains("expires_in") && text.contains("expected u64"),
            "{text}"
        );
    }

    #[test]
    fn a_candidate_body_keeps_names_and_emails_out_of_the_error() {
        let body = br#"{"name":"Alice Martin","email":"alice@example.com","age":"Alice Martin"}"#;
        let err = json::<Candidate>(body).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("Alice") && !text.contains("alice@"),
            "{text}"
        );
        assert!(text.contains("`age`"), "{text}");
    }
}
