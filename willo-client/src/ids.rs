//! Resource identifiers. Willo calls them `key`: 32-character lowercase hex (a UUID
//! without dashes, willo.md §1). They are newtypes over `String` so a participant key
//! cannot be passed where an interview key is expected; they are not validated, since
//! the format is observed rather than documented.

client_core::string_id! {
    /// Key of a department (a "Company" in the Willo app).
    DepartmentKey,
    /// Key of an interview.
    InterviewKey,
    /// Key of a participant (a candidate invited to one interview).
    ParticipantKey,
    /// Key of a message template.
    MessageTemplateKey,
    /// Key of a user of the Willo account.
    UserKey,
    /// Key of a webhook subscription.
    WebhookKey,
    /// Key of an interview template in the template library.
    InterviewTemplateKey,
    /// Key of a template category.
    CategoryKey,
    /// Key of a child organisation.
    ChildKey,
}

/// True for a string shaped like a Willo key: exactly 32 lowercase hex characters.
pub fn looks_like_key(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_shape() {
        assert!(looks_like_key("1e2048a686804049b128f1357c559cbf"));
        assert!(!looks_like_key("1E2048A686804049B128F1357C559CBF"));
        assert!(!looks_like_key("1e2048a6-8680-4049-b128-f1357c559cbf"));
        assert!(!looks_like_key("abc"));
    }

    #[test]
    fn keys_are_transparent_strings() {
        let key = InterviewKey::from("1e2048a686804049b128f1357c559cbf");
        assert_eq!(
            serde_json::to_string(&key).unwrap(),
            "\"1e2048a686804049b128f1357c559cbf\""
        );
        assert_eq!(key.to_string(), key.as_str());
    }
}
