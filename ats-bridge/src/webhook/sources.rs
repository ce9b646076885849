//! Every source of deliveries by the name their URLs and inbox rows carry: the ATS
//! connections and Willo. The intake and the engine share this one lookup.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{AtsWebhooks, WebhookSource, WilloSource};
use crate::Ats;
use crate::model::AtsName;

/// The sources of one bridge.
#[derive(Clone, Debug)]
pub(crate) struct Sources {
    ats: BTreeMap<AtsName, Arc<dyn Ats>>,
    willo: WilloSource,
    /// The source name Willo's deliveries carry: `willo`, or `{id}/willo` for one
    /// connection of a fleet (its ATS adapters are named `{id}/{account}` already).
    willo_name: String,
}

/// One source, as [`Sources::get`] finds it.
pub(crate) enum Source<'a> {
    /// An ATS connection with webhooks.
    Ats(&'a Arc<dyn Ats>, &'a dyn AtsWebhooks),
    /// Willo.
    Willo(&'a WilloSource),
}

impl Source<'_> {
    /// What the intake verifies deliveries with.
    pub(crate) fn webhooks(&self) -> &dyn WebhookSource {
        match self {
            Source::Ats(_, webhooks) => *webhooks,
            Source::Willo(willo) => *willo,
        }
    }
}

impl Sources {
    /// The sources, or the name two of them share (two ATS connections, or an ATS
    /// named like Willo's source): deliveries could not be told apart.
    pub(crate) fn new(
        ats: impl IntoIterator<Item = Arc<dyn Ats>>,
        willo: WilloSource,
    ) -> Result<Self, String> {
        let mut by_name = BTreeMap::new();
        for connection in ats {
            let name = connection.name();
            if name.as_str() == WilloSource::NAME || by_name.contains_key(&name) {
                return Err(name.to_string());
            }
            by_name.insert(name, connection);
        }
        Ok(Self {
            ats: by_name,
            willo,
            willo_name: WilloSource::NAME.to_owned(),
        })
    }

    /// Take Willo's deliveries from the source named `name` instead of `willo`.
    pub(crate) fn willo_named(mut self, name: String) -> Self {
        self.willo_name = name;
        self
    }

    /// The source named `name`: an ATS connection that has webhooks, or Willo.
    pub(crate) fn get(&self, name: &str) -> Option<Source<'_>> {
        if name == self.willo_name {
            return Some(Source::Willo(&self.willo));
        }
        let ats = self.ats.get(&AtsName::from(name))?;
        Some(Source::Ats(ats, ats.webhooks()?))
    }

    /// Whether deliveries named `name` are received: an ATS connection with webhooks,
    /// or Willo once a URL token is configured.
    pub(crate) fn receives(&self, name: &str) -> bool {
        match self.get(name) {
            Some(Source::Willo(willo)) => willo.receives(),
            Some(Source::Ats(..)) => true,
            None => false,
        }
    }

    /// The ATS connection named `name`.
    pub(crate) fn ats(&self, name: &AtsName) -> Option<&Arc<dyn Ats>> {
        self.ats.get(name)
    }

    /// Every ATS connection, by name.
    pub(crate) fn all_ats(&self) -> &BTreeMap<AtsName, Arc<dyn Ats>> {
        &self.ats
    }
}
