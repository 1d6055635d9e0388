//! What the take-away offers to keep besides the documents themselves: the summary of the
//! visit and the copy onto a USB stick, as the view holds them between screens.
//!
//! [`Keep`] lives in the view's shared state: the memory of the services used (fed by each
//! page of an approved service that comes on screen), the USB stick as guichetd last told it
//! (`usb` orders; `None` until told, and always with `[usb] enabled = false`), and the path of
//! the printable summary once the end flow wrote it. [`KeepState`] is what the take-away
//! screen draws of it. The copy itself is guichetd's: the view only asks for it.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::lang::Lang;
use crate::policy::Policy;
use crate::protocol::view::UsbState;
use crate::sessiondir::SessionDir;

use super::keep_texts::{keep_texts, KeepTexts};
use super::summary::{self, Memory, Summary};

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct Keep {
    pub(crate) memory: Memory,
    pub(crate) usb: Option<UsbState>,
    file: Option<PathBuf>,
}

/// The summary and the stick, as the take-away draws them.
#[derive(Debug, Serialize)]
pub(crate) struct KeepState {
    pub(crate) t: &'static KeepTexts,
    pub(crate) summary: Summary,
    /// `None`: no copy offered (`[usb]` off, or guichetd has not said).
    pub(crate) usb: Option<UsbState>,
}

impl Keep {
    /// What the take-away draws, in `lang`, with the session's `documents`.
    pub(crate) fn state(&self, policy: &Policy, lang: Lang, documents: Vec<String>) -> KeepState {
        KeepState {
            t: keep_texts(lang),
            summary: summary::summary(&self.memory, policy, lang, documents),
            usb: self.usb,
        }
    }

    /// Writes the printable summary into the session directory (see [`summary::write`]) and
    /// remembers where; `None` if it could not be written (the take-away still shows it).
    pub(crate) fn write_summary(
        &mut self,
        session: &SessionDir,
        policy: &Policy,
        lang: Lang,
        documents: Vec<String>,
    ) -> Option<&Path> {
        let summary = summary::summary(&self.memory, policy, lang, documents);
        match summary::write(session, &summary, lang) {
            Ok(path) => self.file = Some(path),
            Err(e) => {
                // The error's kind only: the path is the session's.
                tracing::warn!(kind = ?e.kind(), "cannot write the summary of the visit");
                self.file = None;
            }
        }
        self.file.as_deref()
    }

    /// The printable summary, once written (for the take-away's print).
    #[allow(dead_code)]
    pub(crate) fn summary_file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Whether the person may ask for a copy now: a stick is there and nothing is being
    /// copied.
    pub(crate) fn may_copy(&self) -> bool {
        matches!(
            self.usb,
            Some(UsbState::Present | UsbState::Copied | UsbState::Failed)
        )
    }
}
