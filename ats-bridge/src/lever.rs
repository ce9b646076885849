//! The Lever adapter: [`crate::Ats`] over `lever-client` (being written).
