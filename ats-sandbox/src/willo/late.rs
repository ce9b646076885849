//! Results that come after the answers: transcripts and AI summaries (no webhook),
//! reviewers' scores (`new_score`) and comments (`new_comment`).

use serde_json::{Value, json};

use super::participants::{index_of, notifications};
use super::{QUESTIONS, SandboxError, Shared, lock};
use crate::seed::now_iso;

/// Give answer `n` its transcript and summary.
pub(super) fn transcribe(answer: &mut Value, n: usize) {
    let question = QUESTIONS.get(n).copied().unwrap_or("the question");
    answer["transcript"] = json!(format!("Answer {} of the sandbox candidate.", n + 1));
    answer["summary"] = json!(format!("A clear answer to: {question}"));
}

pub(super) fn add_transcripts(shared: &Shared, key: &str) -> Result<(), SandboxError> {
    let mut data = lock(&shared.data);
    let index = index_of(&data, key)?;
    let participant = &mut data.participants[index];
    if participant.completed_at.is_none() {
        return Err(SandboxError::NotFound {
            what: format!("answers of Willo participant {key} (not completed)"),
        });
    }
    for (n, answer) in participant.responses.iter_mut().enumerate() {
        transcribe(answer, n);
    }
    Ok(())
}

pub(super) fn add_score(shared: &Shared, key: &str, score: f64) -> Result<(), SandboxError> {
    let deliveries = {
        let mut data = lock(&shared.data);
        let index = index_of(&data, key)?;
        data.participants[index].score = Some(score);
        notifications(&data, index, "new_score")
    };
    for outgoing in deliveries {
        shared.deliverer.send(outgoing);
    }
    Ok(())
}

pub(super) fn add_comment(
    shared: &Shared,
    key: &str,
    author: &str,
    text: &str,
) -> Result<(), SandboxError> {
    let deliveries = {
        let mut data = lock(&shared.data);
        let index = index_of(&data, key)?;
        let comment = json!({"comment": text, "author": {"name": author}, "created_at": now_iso()});
        data.participants[index].comments.push(comment);
        notifications(&data, index, "new_comment")
    };
    for outgoing in deliveries {
        shared.deliverer.send(outgoing);
    }
    Ok(())
}
