//! The interview chosen by job attributes and interview tags, in the engine: which
//! vendor calls read the attributes, how often (cached per reconciler pass,
//! refreshed by job webhooks), and which interview each job gets. Dry runs, so the
//! interview each application would be sent is visible without sending.

mod lever;
mod sandbox;
mod smartrecruiters;

use std::collections::BTreeSet;

use ats_bridge::engine::Engine;
use ats_bridge::store::LedgerKey;

pub const INTERVIEW_A: &str = "1e2048a686804049b128f1357c559cbf";
pub const INTERVIEW_B: &str = "d62a87cd963f46a0b6d020947fd1dcf5";

/// What a dry run would have invited, as (application, interview).
pub fn would_invite(engine: &Engine) -> BTreeSet<(String, String)> {
    engine
        .would_invite()
        .into_iter()
        .map(
            |LedgerKey {
                 application,
                 interview,
                 ..
             }| { (application.to_string(), interview.to_string()) },
        )
        .collect()
}

/// A dry-run engine configuration (nothing sent, nothing recorded).
pub fn dry_run() -> ats_bridge::engine::EngineConfig {
    let mut config = crate::support::engine_setup::config();
    config.dry_run = true;
    config
}
