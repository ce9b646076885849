//! Shared by the runnable examples in `examples/`: reading where the APIs are from the
//! environment, and falling back to the local sandbox when nothing is set.
