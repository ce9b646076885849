//! Test doubles shared by the engine tests. Each test crate uses a part of them.
#![allow(dead_code)]

pub mod clock;
pub mod fake_willo;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod tiny_ats;
