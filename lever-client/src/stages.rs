//! Pipeline stages. Built-in stage ids are slugs (`lead-new`, `applicant-new`, `offer`…).

use client_core::pagination::ItemStream;
use client_core::{Result, Transport, encode_segment};
use serde::{Deserialize, Serialize};

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
}

/// `/stages` calls.
#[derive(Debug, Clone, Copy)]
pub struct Stages<'a> {
    transport: &'a Transport,
}

impl<'a> Stages<'a> {
    pub(crate) fn new(transport: &'a Transport) -> Self {
        Self { transport }
    }

    /// Every stage, in the order Lever lists them.
    pub fn list(&self) -> ItemStream<'static, Stage> {
        Listing::new(self.transport, "/stages").items(None)
    }

    /// One stage.
    pub async fn get(&self, id: &StageId) -> Result<Stage> {
        let path = format!("/stages/{}", encode_segment(id.as_str()));
        data(self.transport.get(path).send_raw().await?)
    }
}
