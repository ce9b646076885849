//! Client overhead: what the typed clients cost over the bare tools, on the same
//! bytes and the same local server (the sandbox's Lever simulator, one 100-item page
//! of opportunities).
//!
//! - parsing: `ListPage<Opportunity>` vs `serde_json::Value` on the same body;
//! - calling: `client.opportunities().page(..)` (auth, pacing, retry policy, error
//!   mapping, typed parse) vs a bare `reqwest` GET parsed into the same type.

use std::time::{Duration, Instant};

use ats_sandbox::{Sandbox, SandboxConfig, Seed, lever};
use lever_client::{LeverClient, ListPage};
use lever_client::{Opportunity, OpportunityFilter};

use super::Row;

/// Items on the page (Lever's maximum page size).
pub const PAGE_ITEMS: usize = 100;
/// Parses timed per variant.
const PARSES: u32 = 2_000;
/// Calls timed per variant.
const CALLS: u32 = 500;

/// Measure both ratios and return their rows.
pub async fn run() -> crate::Result<Vec<Row>> {
    let sandbox = Sandbox::start(
        SandboxConfig::new()
            .seed(3)
            .data(Seed::new().jobs(1).candidates_per_job(PAGE_ITEMS)),
    )
    .await?;
    let client = sandbox.lever_client()?;
    let http = client_core::HttpClient::new();
    let url = format!("{}/opportunities", sandbox.lever_base_url());
    let body = bare_get(&http, &url).await?;
    let page: ListPage<Opportunity> = serde_json::from_slice(&body)?;
    if page.data.len() != PAGE_ITEMS {
        return Err(format!("expected a {PAGE_ITEMS}-item page, got {}", page.data.len()).into());
    }

    let typed_parse = time(PARSES, || {
        serde_json::from_slice::<ListPage<Opportunity>>(&body).map(drop)
    })?;
    let value_parse = time(PARSES, || {
        serde_json::from_slice::<serde_json::Value>(&body).map(drop)
    })?;

    typed_page(&client).await?; // opens its connection, as bare_get above did
    // Interleaved, so drift in the machine's load hits both variants alike.
    let (mut typed_call, mut bare_call) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..CALLS {
        let started = Instant::now();
        typed_page(&client).await?;
        typed_call += started.elapsed();
        let started = Instant::now();
        let body = bare_get(&http, &url).await?;
        serde_json::from_slice::<ListPage<Opportunity>>(&body)?;
        bare_call += started.elapsed();
    }
    sandbox.shutdown().await;

    let parse_ratio = typed_parse.as_secs_f64() / value_parse.as_secs_f64();
    let call_ratio = typed_call.as_secs_f64() / bare_call.as_secs_f64();
    Ok(vec![
        Row::target(
            "client: typed 100-item page parse ÷ serde_json::Value",
            format!(
                "{parse_ratio:.2} ({:.1} µs vs {:.1} µs)",
                per_op_us(typed_parse, PARSES),
                per_op_us(value_parse, PARSES)
            ),
            "≤ 1.5",
            parse_ratio <= 1.5,
        ),
        Row::target(
            "client: typed call ÷ bare reqwest call",
            format!(
                "{call_ratio:.2} ({:.1} µs vs {:.1} µs)",
                per_op_us(typed_call, CALLS),
                per_op_us(bare_call, CALLS)
            ),
            "≤ 1.2",
            call_ratio <= 1.2,
        ),
    ])
}

/// The first page through the typed client.
async fn typed_page(client: &LeverClient) -> crate::Result<()> {
    client
        .opportunities()
        .page(&OpportunityFilter::default(), None)
        .await
        .map(drop)
        .map_err(Into::into)
}

/// The same request with nothing but `reqwest`: Basic auth, GET, body.
async fn bare_get(http: &client_core::HttpClient, url: &str) -> crate::Result<Vec<u8>> {
    let response = http
        .get(url)
        .basic_auth(lever::API_KEY, Some(""))
        .send()
        .await?
        .error_for_status()?;
    Ok(response.bytes().await?.to_vec())
}

/// Total time of `runs` runs of `op` (after one untimed warm-up run).
fn time<E>(runs: u32, mut op: impl FnMut() -> Result<(), E>) -> Result<Duration, E> {
    op()?;
    let started = Instant::now();
    for _ in 0..runs {
        op()?;
    }
    Ok(started.elapsed())
}

fn per_op_us(total: Duration, runs: u32) -> f64 {
    total.as_secs_f64() * 1e6 / f64::from(runs)
}
