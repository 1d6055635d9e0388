//! The control socket: staff and admin commands from `guichetctl` to `guichetd`.
//!
//! (Being built: see the supervisor issue.)
