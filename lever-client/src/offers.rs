//! Offers of one opportunity: list, and download the sent or signed offer document.

use client_core::Result;
use client_core::pagination::{ItemStream, Page};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Download, Expandable, Nested, download, null_default};
use crate::ids::{OfferId, OpportunityId, UserId};
use crate::users::User;

client_core::open_enum! {
    /// Where an offer stands.
    OfferStatus {
        /// Being written.
        Draft = "draft",
        /// Sent for approval.
        ApprovalSent = "approval-sent",
        /// Approved.
        Approved = "approved",
        /// Sent to the candidate.
        Sent = "sent",
        /// Sent outside Lever.
        SentManually = "sent-manually",
        /// Opened by the candidate.
        Opened = "opened",
        /// Declined.
        Denied = "denied",
        /// Signed.
        Signed = "signed",
    }
}

/// An offer.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Offer {
    /// The offer id.
    pub id: OfferId,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Status.
    #[serde(default)]
    pub status: Option<OfferStatus>,
    /// Who created it; an object with `expand=creator`.
    #[serde(default)]
    pub creator: Option<Expandable<UserId, User>>,
    /// The offer's fields (`{text, identifier, value}`: salary, start date…).
    #[serde(default, deserialize_with = "null_default")]
    pub fields: Vec<OfferField>,
    /// The document sent, if any.
    #[serde(default)]
    pub sent_document: Option<OfferDocument>,
    /// The document signed, if any.
    #[serde(default)]
    pub signed_document: Option<OfferDocument>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One field of an offer.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct OfferField {
    /// The label.
    #[serde(default)]
    pub text: Option<String>,
    /// A stable key (`salary_amount`, `anticipated_start_date`…).
    #[serde(default)]
    pub identifier: Option<String>,
    /// The value (its type depends on the field).
    #[serde(default)]
    pub value: Value,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An offer document.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OfferDocument {
    /// File name.
    #[serde(default)]
    pub file_name: Option<String>,
    /// Uploaded (ms).
    #[serde(default)]
    pub uploaded_at: Option<u64>,
    /// Where to download it (needs the same credentials).
    #[serde(default)]
    pub download_url: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

client_core::open_enum! {
    /// Which offer document to download.
    OfferDocumentKind {
        /// The one sent to the candidate.
        Sent = "sent",
        /// The one the candidate signed.
        Signed = "signed",
    }
}

/// Offers of one opportunity. Obtain with [`crate::LeverClient::offers`]. Scope
/// `offers:read:admin` (offers are read-only in the API).
#[derive(Debug, Clone)]
pub struct Offers<'a> {
    nested: Nested<'a>,
}

impl<'a> Offers<'a> {
    pub(crate) fn new(client: &'a LeverClient, opportunity: &OpportunityId) -> Self {
        Self {
            nested: Nested::new(client, opportunity, "offers"),
        }
    }

    /// Every offer.
    pub fn list(&self) -> ItemStream<'static, Offer> {
        self.nested.listing().items()
    }

    /// One page of offers.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<Offer, String>> {
        self.nested.listing().page(cursor).await
    }

    /// Download an offer's document (`GET …/offers/:offer/download?status=sent|signed`).
    pub async fn download(&self, id: &OfferId, kind: OfferDocumentKind) -> Result<Download> {
        download(
            self.nested.transport(),
            format!("{}/download", self.nested.item(id.as_str())),
            vec![("status".to_owned(), kind.to_string())],
        )
        .await
    }
}
