//! Wiping a session: kill, reap, delete without following symlinks, verify.
//!
//! (Being built: see the supervisor issue.)
