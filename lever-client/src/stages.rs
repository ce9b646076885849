//! Pipeline stages. Built-in stage ids are slugs (`lead-new`, `applicant-new`, `offer`…).

use client_core::pagination::{ItemStream, Page};
use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Listing, data};
use crate::ids::StageId;

/// A stage.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Stage {
    /// The stage id.
    pub id: StageId,
    /// Its name.
    #[serde(default)]
    pub text: String,
    /// Fields this crate does not model yet (Lever may add fields at any time).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `/stages` calls.
#[derive(Debug, Clone, Copy)]
pub struct Stages<'a> {
    client: &'a LeverClient,
}

impl<'a> Stages<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    /// Every stage, in the order Lever lists them.
    pub fn list(&self) -> ItemStream<'static, Stage> {
        Listing::new(self.client.transport(), "/stages").items()
    }

    /// One page of stages: the first (`cursor` `None`) or the one a saved offset token
    /// (a previous page's `next`) points at.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<Stage, String>> {
        Listing::new(self.client.transport(), "/stages")
            .page(cursor)
            .await
    }

    /// One stage.
    pub async fn get(&self, id: &StageId) -> Result<Stage> {
        let path = format!("/stages/{}", encode_segment(id.as_str()));
        data(self.client.transport().get(path).send_raw().await?)
    }
}
