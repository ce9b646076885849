//! Webhooks as the intake and the worker use them: `verify` on whatever arrives
//! (refuse forgeries and garbage, never panic), `resolve` later on the stored
//! delivery.

use ats_bridge::model::{ApplicationRef, AtsEvent, CandidateDetails};
use ats_bridge::{AtsWebhooks, VerifiedDelivery, WebhookRejection, WebhookRequest};
use client_core::header::HeaderMap;

use super::{Ctx, Verdict, call_sync, capability_off, ensure};
use crate::fixture::{Delivery, Tampering};
use crate::report::Outcome;

/// The genuine delivery for the fixture application, or why there is none.
pub(crate) type Genuine = Result<Delivery, String>;

/// Ask the fixture for a genuine delivery moving its application to the trigger stage.
pub(crate) fn genuine(ctx: &Ctx<'_>) -> Genuine {
    let fixture = ctx.fixture;
    let signed = fixture.deliveries.as_ref().ok_or_else(|| {
        "webhooks() is some but the fixture gives no signed delivery \
         (Fixture::deliveries)"
            .to_owned()
    })?;
    call_sync("the fixture's delivery function", || {
        signed(&fixture.application, &fixture.trigger_stage)
    })
}

/// The ATS's webhooks, or the verdict that it has none.
fn webhooks<'a>(ctx: &Ctx<'a>) -> Result<&'a dyn AtsWebhooks, Verdict> {
    ctx.ats.webhooks().ok_or_else(|| capability_off("webhooks"))
}

fn verify(
    ctx: &Ctx<'_>,
    delivery: &Delivery,
) -> Result<Result<VerifiedDelivery, WebhookRejection>, String> {
    let Some(webhooks) = ctx.ats.webhooks() else {
        return Err("webhooks() is none".into());
    };
    call_sync("verify()", || {
        webhooks.verify(&WebhookRequest::new(&delivery.headers, &delivery.body))
    })
}

/// The checks after the first need a genuine delivery and the capability.
fn needs_genuine<'g>(ctx: &Ctx<'_>, genuine: &'g Genuine) -> Result<&'g Delivery, Verdict> {
    webhooks(ctx)?;
    genuine.as_ref().map_err(|_| {
        Ok(Outcome::Skipped(
            "no genuine delivery (see webhook_genuine_resolves)".into(),
        ))
    })
}

/// Verified at the intake, resolved (as stored bytes) by a worker: a stage change of
/// the fixture application to the trigger stage.
pub(crate) async fn genuine_resolves(ctx: &Ctx<'_>, genuine: &Genuine) -> Verdict {
    let webhooks = match webhooks(ctx) {
        Ok(webhooks) => webhooks,
        Err(verdict) => return verdict,
    };
    let delivery = genuine.as_ref().map_err(Clone::clone)?;
    let verified = verify(ctx, delivery)?
        .map_err(|r| format!("verify() refused the genuine delivery: {r}"))?;
    ensure(!verified.dedupe_key.is_empty(), || {
        "verify() gave an empty dedupe key".into()
    })?;
    let events = ctx
        .call("resolve()", webhooks.resolve(&verified.delivery))
        .await?
        .map_err(|e| format!("resolve() of the verified delivery failed: {e}"))?;
    let fixture = ctx.fixture;
    let wanted = &fixture.application;
    let mut renamed = None;
    for event in &events {
        if let AtsEvent::StageChanged {
            application,
            stage,
            details,
        } = event
        {
            let same_move = application.job == wanted.job && stage == &fixture.trigger_stage;
            if same_move && application.application == wanted.application {
                return match details {
                    None => Ok(Outcome::Passed),
                    Some(handed_on) => details_agree(ctx, application, handed_on).await,
                };
            }
            if same_move && application.candidate == wanted.candidate {
                renamed = Some(&application.application);
            }
        }
    }
    Err(match renamed {
        Some(other) => format!(
            "resolve() names application `{}` as `{other}`: the engine's ledger, \
             keyed on the application id, would see two applications",
            wanted.application
        ),
        None => format!(
            "resolve() gave {events:?}, not a stage change of application `{}` on \
             job `{}` to `{}`",
            wanted.application, wanted.job, fixture.trigger_stage
        ),
    })
}

/// Details handed on with a stage change are what the invite uses instead of
/// `candidate()`, so they must be what `candidate()` reads. (Compared, never printed:
/// they are personal data.)
async fn details_agree(
    ctx: &Ctx<'_>,
    application: &ApplicationRef,
    handed_on: &CandidateDetails,
) -> Verdict {
    let read = ctx
        .call("candidate()", ctx.ats.candidate(application))
        .await?
        .map_err(|e| format!("candidate() of the resolved application failed: {e}"))?;
    ensure(&read == handed_on, || {
        "resolve() handed on candidate details that differ from what candidate() \
         reads; the invite would use them instead"
            .into()
    })?;
    Ok(Outcome::Passed)
}

/// A vendor retry is the same delivery again: same key, and not refused as a replay
/// (the intake deduplicates on the key; refusing would lose a retry of a delivery the
/// intake failed to store).
pub(crate) fn dedupe_key_stable(ctx: &Ctx<'_>, genuine: &Genuine) -> Verdict {
    let delivery = match needs_genuine(ctx, genuine) {
        Ok(delivery) => delivery,
        Err(verdict) => return verdict,
    };
    let mut keys = Vec::new();
    for attempt in ["first", "second"] {
        let verified = verify(ctx, delivery)?.map_err(|r| {
            format!("the {attempt} verification of the same delivery was refused: {r}")
        })?;
        keys.push(verified.dedupe_key);
    }
    ensure(keys[0] == keys[1], || {
        format!(
            "the same delivery got dedupe keys `{}` and `{}`",
            keys[0], keys[1]
        )
    })?;
    Ok(Outcome::Passed)
}

/// A delivery about another application (the fixture's unknown one: verifying needs
/// no lookup) gets another key.
pub(crate) fn dedupe_key_distinct(ctx: &Ctx<'_>, genuine: &Genuine) -> Verdict {
    let delivery = match needs_genuine(ctx, genuine) {
        Ok(delivery) => delivery,
        Err(verdict) => return verdict,
    };
    let fixture = ctx.fixture;
    let signed = fixture.deliveries.as_ref().ok_or("no delivery function")?;
    let other = call_sync("the fixture's delivery function", || {
        signed(&fixture.unknown_application, &fixture.trigger_stage)
    })?;
    let first =
        verify(ctx, delivery)?.map_err(|r| format!("the genuine delivery was refused: {r}"))?;
    let second = verify(ctx, &other)?.map_err(|r| {
        format!(
            "a genuine delivery about application `{}` was refused: {r}",
            fixture.unknown_application.application
        )
    })?;
    ensure(first.dedupe_key != second.dedupe_key, || {
        format!(
            "deliveries about applications `{}` and `{}` share the dedupe key `{}`",
            fixture.application.application,
            fixture.unknown_application.application,
            first.dedupe_key
        )
    })?;
    Ok(Outcome::Passed)
}

/// Every forged variant of the genuine delivery is refused.
pub(crate) fn rejects_tampered(ctx: &Ctx<'_>, genuine: &Genuine) -> Verdict {
    let delivery = match needs_genuine(ctx, genuine) {
        Ok(delivery) => delivery,
        Err(verdict) => return verdict,
    };
    let forged = call_sync("the fixture's tamper function", || {
        (ctx.fixture.tamper)(delivery)
    })?;
    if forged.is_empty() {
        return Ok(Outcome::Skipped(
            "the fixture's tamper function forged no variant".into(),
        ));
    }
    must_refuse(ctx, &forged)
}

/// The genuine delivery cut in half is refused.
pub(crate) fn rejects_truncated(ctx: &Ctx<'_>, genuine: &Genuine) -> Verdict {
    let delivery = match needs_genuine(ctx, genuine) {
        Ok(delivery) => delivery,
        Err(verdict) => return verdict,
    };
    let half = &delivery.body[..delivery.body.len() / 2];
    must_refuse(
        ctx,
        &[Tampering::new(
            "the genuine body cut in half",
            Delivery::new(delivery.headers.clone(), half),
        )],
    )
}

/// The genuine body with no headers at all is refused, unless the vendor's signature
/// lives in the body (the genuine delivery has no headers).
pub(crate) fn rejects_missing_headers(ctx: &Ctx<'_>, genuine: &Genuine) -> Verdict {
    let delivery = match needs_genuine(ctx, genuine) {
        Ok(delivery) => delivery,
        Err(verdict) => return verdict,
    };
    if delivery.headers.is_empty() {
        return Ok(Outcome::Skipped(
            "the genuine delivery has no headers: its signature is in the body".into(),
        ));
    }
    must_refuse(
        ctx,
        &[Tampering::new(
            "the genuine body without headers",
            Delivery::new(HeaderMap::new(), delivery.body.clone()),
        )],
    )
}

/// An empty body is refused (with the genuine headers, so a header check alone does
/// not decide).
pub(crate) fn rejects_empty_body(ctx: &Ctx<'_>, genuine: &Genuine) -> Verdict {
    garbage(ctx, genuine, vec![("an empty body".into(), Vec::new())])
}

/// Bytes that are not UTF-8 are refused.
pub(crate) fn rejects_non_utf8(ctx: &Ctx<'_>, genuine: &Genuine) -> Verdict {
    let body = b"{\"event\":\"\xff\xfe\x00\x80\xc3\x28\"}".to_vec();
    garbage(
        ctx,
        genuine,
        vec![("a body that is not UTF-8".into(), body)],
    )
}

/// Random bytes of several lengths are refused.
pub(crate) fn rejects_random_bytes(ctx: &Ctx<'_>, genuine: &Genuine) -> Verdict {
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    let bodies = [1, 7, 32, 64, 255, 1024, 4096]
        .into_iter()
        .map(|len| {
            let body = (0..len).map(|_| random.byte()).collect();
            (format!("{len} random bytes"), body)
        })
        .collect();
    garbage(ctx, genuine, bodies)
}

/// Refuse each of `bodies`, sent with the genuine delivery's headers when there is one.
fn garbage(ctx: &Ctx<'_>, genuine: &Genuine, bodies: Vec<(String, Vec<u8>)>) -> Verdict {
    if let Err(verdict) = webhooks(ctx) {
        return verdict;
    }
    let headers = genuine
        .as_ref()
        .map(|d| d.headers.clone())
        .unwrap_or_default();
    let cases: Vec<Tampering> = bodies
        .into_iter()
        .map(|(how, body)| Tampering::new(how, Delivery::new(headers.clone(), body)))
        .collect();
    must_refuse(ctx, &cases)
}

/// Each case must be refused with a [`WebhookRejection`]; acceptances and panics are
/// listed in the failure.
fn must_refuse(ctx: &Ctx<'_>, cases: &[Tampering]) -> Verdict {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|case| match verify(ctx, &case.delivery) {
            Ok(Err(_rejected)) => None,
            Ok(Ok(verified)) => Some(format!(
                "{} was accepted (dedupe key `{}`)",
                case.how, verified.dedupe_key
            )),
            Err(panicked) => Some(format!("{}: {panicked}", case.how)),
        })
        .collect();
    ensure(wrong.is_empty(), || wrong.join("; "))?;
    Ok(Outcome::Passed)
}

/// A fixed-seed generator, so the random bodies are the same on every run.
struct XorShift(u64);

impl XorShift {
    fn byte(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 56) as u8
    }
}
