//! The kiosk view: a tao window with a trusted toolbar webview and an untrusted content webview.
//!
//! (Being built: see the kiosk-view issue.)
