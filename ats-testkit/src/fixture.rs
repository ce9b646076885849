//! What the suite needs to know about the integrator's test system.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use client_core::header::{HeaderMap, HeaderValue};
use futures::FutureExt;
use futures::future::BoxFuture;

use ats_bridge::mapping::Target;
use ats_bridge::model::{ApplicationRef, CandidateDetails, JobId, StageId};

/// A webhook delivery as the vendor sends it: the headers and the raw body.
#[derive(Clone, Default)]
pub struct Delivery {
    /// The request headers (signature, timestamp, event name…).
    pub headers: HeaderMap,
    /// The raw request body.
    pub body: Vec<u8>,
}

impl Delivery {
    /// A delivery with these headers and body.
    pub fn new(headers: HeaderMap, body: impl Into<Vec<u8>>) -> Self {
        Self {
            headers,
            body: body.into(),
        }
    }
}

/// Header values are signatures and the body may name a candidate: neither is printed.
impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// A forged variant of a genuine delivery, and how it was forged (for the report).
#[derive(Debug, Clone)]
pub struct Tampering {
    /// What was changed, e.g. "one body byte changed".
    pub how: String,
    /// The forged delivery.
    pub delivery: Delivery,
}

impl Tampering {
    /// A variant forged as `how` says.
    pub fn new(how: impl Into<String>, delivery: Delivery) -> Self {
        Self {
            how: how.into(),
            delivery,
        }
    }
}

/// Forgeries that any scheme signing the raw body (and headers) must refuse: one
/// alphanumeric byte of the body changed (the body stays well-formed, so only the
/// signature can catch it), a trailing space appended, and every header value changed
/// by one character.
///
/// Vendors that sign only some fields (Lever signs the body's `token` and
/// `triggeredAt`) do not catch the first two: give [`Fixture::tamper_with`] forgeries
/// of the signed fields instead.
pub fn default_tamperings(genuine: &Delivery) -> Vec<Tampering> {
    let mut forged = Vec::new();
    let mut body = genuine.body.clone();
    if change_last_alphanumeric(&mut body) {
        forged.push(Tampering::new(
            "one body byte changed",
            Delivery::new(genuine.headers.clone(), body),
        ));
    }
    let mut body = genuine.body.clone();
    body.push(b' ');
    forged.push(Tampering::new(
        "a space appended to the body",
        Delivery::new(genuine.headers.clone(), body),
    ));
    let mut headers = HeaderMap::new();
    for (name, value) in &genuine.headers {
        let mut bytes = value.as_bytes().to_vec();
        change_last_alphanumeric(&mut bytes);
        if let Ok(value) = HeaderValue::from_bytes(&bytes) {
            headers.append(name.clone(), value);
        }
    }
    if !headers.is_empty() && headers != genuine.headers {
        forged.push(Tampering::new(
            "every header value changed",
            Delivery::new(headers, genuine.body.clone()),
        ));
    }
    forged
}

/// Replace the last ASCII letter or digit with the next one of its kind (`9` → `0`,
/// `z` → `a`); false when there is none.
fn change_last_alphanumeric(bytes: &mut [u8]) -> bool {
    let Some(byte) = bytes.iter_mut().rev().find(|b| b.is_ascii_alphanumeric()) else {
        return false;
    };
    *byte = match *byte {
        b'9' => b'0',
        b'z' => b'a',
        b'Z' => b'A',
        other => other + 1,
    };
    true
}

pub(crate) type DeliveryFn = Arc<dyn Fn(&ApplicationRef, &StageId) -> Delivery + Send + Sync>;
pub(crate) type TamperFn = Arc<dyn Fn(&Delivery) -> Vec<Tampering> + Send + Sync>;
pub(crate) type LabelsFn =
    Arc<dyn Fn(&ApplicationRef) -> BoxFuture<'static, Vec<String>> + Send + Sync>;

/// Known data in the integrator's test system (a sandbox account, a local simulator,
/// an in-memory fake): the suite checks the implementation against it.
///
/// Only the job, the trigger stage and one application at that stage are required;
/// each optional part switches on the checks that need it.
#[derive(Clone)]
pub struct Fixture {
    pub(crate) job: JobId,
    pub(crate) trigger_stage: StageId,
    pub(crate) application: ApplicationRef,
    pub(crate) unknown_application: ApplicationRef,
    pub(crate) deliveries: Option<DeliveryFn>,
    pub(crate) tamper: TamperFn,
    pub(crate) labels_of: Option<LabelsFn>,
    pub(crate) label: String,
    pub(crate) new_candidate: Option<CandidateDetails>,
    pub(crate) mapped_target: Option<Target>,
}

/// The label the write-back checks add and remove again.
pub const DEFAULT_LABEL: &str = "Willo:Testkit";

impl Fixture {
    /// `application` is on `job` and currently at `trigger_stage`; the suite lists,
    /// reads and labels it, and moves it to the stage it is already at.
    pub fn new(
        job: impl Into<JobId>,
        trigger_stage: impl Into<StageId>,
        application: ApplicationRef,
    ) -> Self {
        let job = job.into();
        Self {
            unknown_application: ApplicationRef {
                application: "testkit-missing-application".into(),
                candidate: "testkit-missing-candidate".into(),
                job: job.clone(),
            },
            job,
            trigger_stage: trigger_stage.into(),
            application,
            deliveries: None,
            tamper: Arc::new(default_tamperings),
            labels_of: None,
            label: DEFAULT_LABEL.to_owned(),
            new_candidate: None,
            mapped_target: None,
        }
    }

    /// How to make a genuine, correctly signed delivery telling that an application
    /// moved to a stage, as the vendor would send it now. Required for the webhook
    /// checks when the implementation reports webhooks.
    pub fn deliveries(
        mut self,
        signed: impl Fn(&ApplicationRef, &StageId) -> Delivery + Send + Sync + 'static,
    ) -> Self {
        self.deliveries = Some(Arc::new(signed));
        self
    }

    /// Forge variants of a genuine delivery that must be refused, instead of
    /// [`default_tamperings`].
    pub fn tamper_with(
        mut self,
        forge: impl Fn(&Delivery) -> Vec<Tampering> + Send + Sync + 'static,
    ) -> Self {
        self.tamper = Arc::new(forge);
        self
    }

    /// How to read the labels on an application's record straight from the test
    /// system, so the suite can see that a repeated write-back adds a label once.
    pub fn labels_of<F, Fut>(mut self, read: F) -> Self
    where
        F: Fn(&ApplicationRef) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<String>> + Send + 'static,
    {
        self.labels_of = Some(Arc::new(move |application| read(application).boxed()));
        self
    }

    /// The label the write-back checks add and then remove (default
    /// [`DEFAULT_LABEL`]).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// An application that does not exist in the test system (default: ids
    /// `testkit-missing-application` / `testkit-missing-candidate` on the fixture
    /// job); use it when your ids have a fixed format.
    pub fn unknown_application(mut self, application: ApplicationRef) -> Self {
        self.unknown_application = application;
        self
    }

    /// Opt in to the `create_application` check: the suite creates this candidate on
    /// the fixture job (each run creates one more).
    pub fn new_candidate(mut self, candidate: CandidateDetails) -> Self {
        self.new_candidate = Some(candidate);
        self
    }
}

impl Fixture {
    /// The target the mapped-write check writes a test text into (default: the
    /// first text property or form field
    /// [`Ats::mapping_targets`](ats_bridge::Ats::mapping_targets) lists, else its
    /// first text target that is neither a personal detail nor a web profile).
    pub fn mapped_target(mut self, target: Target) -> Self {
        self.mapped_target = Some(target);
        self
    }
}

impl fmt::Debug for Fixture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fixture")
            .field("job", &self.job)
            .field("trigger_stage", &self.trigger_stage)
            .field("application", &self.application)
            .field("unknown_application", &self.unknown_application)
            .field("deliveries", &self.deliveries.is_some())
            .field("labels_of", &self.labels_of.is_some())
            .field("label", &self.label)
            .field("new_candidate", &self.new_candidate)
            .field("mapped_target", &self.mapped_target)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_changed_byte_keeps_the_body_well_formed() {
        let genuine = Delivery::new(HeaderMap::new(), br#"{"stage":"screen9"}"#.to_vec());
        let forged = default_tamperings(&genuine);
        assert_eq!(forged[0].delivery.body, br#"{"stage":"screen0"}"#);
        assert_eq!(forged[1].delivery.body, br#"{"stage":"screen9"} "#);
        assert_eq!(forged.len(), 2, "no header to change");
    }

    #[test]
    fn every_header_value_is_changed() {
        let mut headers = HeaderMap::new();
        headers.insert("x-signature", HeaderValue::from_static("abc"));
        headers.insert("x-event", HeaderValue::from_static("stage.z"));
        let forged = default_tamperings(&Delivery::new(headers, b"{}".to_vec()));
        let changed = &forged.last().unwrap().delivery.headers;
        assert_eq!(changed["x-signature"], "abd");
        assert_eq!(changed["x-event"], "stage.a");
    }
}
