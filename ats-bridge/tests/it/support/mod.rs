//! Test doubles shared by the engine tests. Each test crate uses a part of them.
#![allow(dead_code)]

pub mod claims;
pub mod clock;
pub mod conformance;
pub mod engine_setup;
pub mod fake_willo;
#[cfg(feature = "lever")]
pub mod lever_mock;
pub mod mock_server;
// The SQL store's tests own the PostgreSQL set-up; the engine's race uses it too.
#[path = "../../../../ats-store-sql/tests/it/support/postgres.rs"]
pub mod postgres;
#[cfg(feature = "smartrecruiters")]
pub mod smartrecruiters_mock;
pub mod tiny_ats;
pub mod willo_mock;
pub mod world;
