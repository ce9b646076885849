//! Helpers the example tests share.

use ats_sandbox::Sandbox;
use examples::Connections;

pub mod postgres;

/// Connections as for live APIs: Willo only (on `sandbox`), and no sandbox in them, so
/// none of the sandbox's defaults apply.
pub fn live_willo_only(sandbox: &Sandbox) -> Connections {
    Connections {
        willo: sandbox.willo_client().unwrap(),
        smartrecruiters: None,
        lever: None,
        lever_perform_as: None,
        sandbox: None,
    }
}

/// What a walk-through example prints when `run` succeeds.
pub async fn output_of(run: impl AsyncFnOnce(&mut Vec<u8>) -> examples::Result<()>) -> String {
    let mut out = Vec::new();
    run(&mut out).await.unwrap();
    String::from_utf8(out).unwrap()
}
