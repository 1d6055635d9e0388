//! The session state machine of the supervisor.
//!
//! (Being built: see the supervisor issue.)
