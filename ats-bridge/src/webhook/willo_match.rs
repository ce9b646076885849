//! Which participant a Willo delivery is about: the candidate keys its body carries,
//! matched against the ledger.
//!
//! Willo does not document where a delivery names its participant, and real bodies
//! carry several 32-hex keys (owner, department, response…). Rather than guess one,
//! the bridge asks its ledger which of them it invited, as the team that read live
//! deliveries did. The scan and the order of the candidates are
//! `willo_client::webhooks::Delivery`'s; this module only decides.

use willo_client::webhooks::{Delivery, KeyCandidate};

use crate::model::ParticipantKey;
use crate::store::{Ledger, StoreError};

/// The participant of a Willo delivery, as far as the ledger knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeliveryParticipant {
    /// The ledger has rows for this candidate key: act on it.
    Known(ParticipantKey),
    /// No candidate is in the ledger. The key to look at as a possible screening
    /// participant, when the body tells one apart (see [`screening_candidate`]);
    /// `None`: the delivery is ignored.
    Unknown(Option<ParticipantKey>),
}

/// Match `delivery`'s candidates against `ledger`, in the delivery's order (named
/// `participant*` fields first, then keys under a field mentioning `participant`, then
/// document order). Several known: the first in that order wins, and that is logged.
/// Logs carry counts and JSON paths, never the body's values.
pub(crate) async fn match_participant(
    delivery: &Delivery,
    ledger: &dyn Ledger,
) -> Result<DeliveryParticipant, StoreError> {
    let mut known: Vec<&KeyCandidate> = Vec::new();
    for candidate in &delivery.candidates {
        if !ledger.rows_by_participant(&candidate.key).await?.is_empty() {
            known.push(candidate);
        }
    }
    match known.as_slice() {
        [] => {
            let screen = screening_candidate(delivery);
            tracing::info!(
                candidates = delivery.candidates.len(),
                screening_check = screen.is_some(),
                "no key of the Willo delivery names a participant in the ledger"
            );
            Ok(DeliveryParticipant::Unknown(screen))
        }
        [only] => Ok(DeliveryParticipant::Known(only.key.clone())),
        [first, rest @ ..] => {
            tracing::warn!(
                known = rest.len() + 1,
                chosen_path = %first.path,
                other_paths = ?rest.iter().map(|c| c.path.as_str()).collect::<Vec<_>>(),
                "several keys of the Willo delivery name participants in the ledger; \
                 acting on the first"
            );
            Ok(DeliveryParticipant::Known(first.key.clone()))
        }
    }
}

/// The key a delivery unknown to the ledger most likely names its participant with,
/// for the screening check (which reads that participant from Willo): one under a
/// documented `participant*` field, else the first under a field that mentions
/// `participant`, else the only candidate. Several unnamed candidates: `None`, since
/// reading each would spend Willo requests on owner and department keys.
pub(crate) fn screening_candidate(delivery: &Delivery) -> Option<ParticipantKey> {
    if let Some(named) = delivery.participant_key() {
        return Some(named.clone());
    }
    let mentioned = delivery
        .candidates
        .iter()
        .find(|c| c.path.contains("participant"));
    match (mentioned, delivery.candidates.as_slice()) {
        (Some(candidate), _) | (None, [candidate]) => Some(candidate.key.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use willo_client::webhooks::WebhookEvent;

    use super::*;

    const P: &str = "0123456789abcdef0123456789abcdef";
    const OWNER: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const DEPARTMENT: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn delivery(body: serde_json::Value) -> Delivery {
        Delivery::parse(body.to_string().as_bytes(), Some(WebhookEvent::NewResponse)).unwrap()
    }

    #[test]
    fn the_screening_candidate_is_named_mentioned_or_alone() {
        let named = delivery(json!({"owner": OWNER, "participant_id": P}));
        assert_eq!(screening_candidate(&named), Some(P.into()));
        let mentioned = delivery(json!({"owner": OWNER, "who": {"participant_ref": P}}));
        assert_eq!(screening_candidate(&mentioned), Some(P.into()));
        let alone = delivery(json!({"ref": P}));
        assert_eq!(screening_candidate(&alone), Some(P.into()));
        let ambiguous = delivery(json!({"owner": OWNER, "department": DEPARTMENT}));
        assert_eq!(screening_candidate(&ambiguous), None);
    }
}
