//! Enums shared by several resources. Like every enum in this crate they keep values
//! they do not know (`Other(String)`), so a new value from Lever never fails a page.

client_core::open_enum! {
    /// How an opportunity entered the pipeline.
    Origin {
        /// Added by an agency.
        Agency = "agency",
        /// Applied to a posting.
        Applied = "applied",
        /// Internal applicant.
        Internal = "internal",
        /// Referred.
        Referred = "referred",
        /// Sourced by a recruiter.
        Sourced = "sourced",
        /// University recruiting.
        University = "university",
    }
}

client_core::open_enum! {
    /// Whether a record is confidential. `All` is only meaningful as a list filter.
    Confidentiality {
        /// Not confidential (the default of list filters).
        NonConfidential = "non-confidential",
        /// Confidential (needs a key or token with confidential access).
        Confidential = "confidential",
        /// Both (filters only).
        All = "all",
    }
}
