//! Starting a view process: cleared environment, own process group, parent-death signal.
//!
//! (Being built: see the supervisor issue.)
