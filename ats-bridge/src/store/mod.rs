//! The ledger that makes the workflow happen exactly once (being written).
