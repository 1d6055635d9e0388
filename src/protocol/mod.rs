//! The two wire protocols of guichet, as types.
//!
//! - [`view`]: `guichetd` ↔ `guichet-view`, over the view's stdin and stdout;
//! - [`control`]: `guichetctl` → `guichetd`, over the control socket; [`client`] is
//!   guichetctl's end (the daemon's end is `crate::daemon::control`).
//!
//! Both send one JSON message per line through [`frame`], which bounds a line before
//! allocating it. Each direction is one serde enum, `#[serde(tag = "type")]`, documented with
//! a JSON example per variant.

pub mod client;
pub mod control;
pub mod frame;
pub mod view;
