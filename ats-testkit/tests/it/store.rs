//! The memory store against the store conformance suite.

use std::sync::Arc;

use ats_bridge::store::MemoryStore;
use ats_testkit::store::{racing_claims, racing_claims_of_one_person, run_store_suite};

#[tokio::test]
async fn memory_store_passes_the_suite() {
    run_store_suite(&MemoryStore::new()).await;
}

#[tokio::test]
async fn memory_store_passes_the_connection_suite() {
    ats_testkit::store::run_connection_suite(&MemoryStore::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_secret_locks_exclude() {
    let store = Arc::new(MemoryStore::new());
    ats_testkit::store::secret_locks_exclude(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_racing_workers_each_key_is_acquired_exactly_once() {
    racing_claims(Arc::new(MemoryStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_racing_workers_take_one_persons_applications_one_at_a_time() {
    racing_claims_of_one_person(Arc::new(MemoryStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_adding_one_connection_at_once_conflicts() {
    let store = Arc::new(MemoryStore::new());
    ats_testkit::store::racing_connection_inserts(store.clone(), store).await;
}
