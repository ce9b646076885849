//! smartrecruiters-client: under construction.
#![warn(missing_docs)]
