//! The SmartRecruiters adapter: [`crate::Ats`] over `smartrecruiters-client` (being written).
