//! The take-away's summary and USB copy in the event loop: guichetd's `usb` orders, the
//! person's "copy to the USB stick", the summary drawn and written.

use crate::loggable::Private;
use crate::protocol::view::{FromView, UsbState};

use super::super::downloads;
use super::super::keep::KeepState;
use super::super::toolbar::UiScreen;
use super::App;

impl App {
    /// guichetd says where the stick is; the take-away shows it at once.
    pub(super) fn on_usb(&self, state: UsbState) {
        self.shared.keep.borrow_mut().usb = Some(state);
        if self.screen() == UiScreen::Takeaway {
            self.render(UiScreen::Takeaway);
        }
    }

    /// "Copy to the USB stick": the chosen documents, by name, to guichetd (which copies
    /// them); only on the take-away, with a stick there and no copy under way.
    pub(super) fn usb_copy(&self, files: &[usize]) {
        if self.screen() != UiScreen::Takeaway || !self.shared.keep.borrow().may_copy() {
            tracing::debug!("USB copy asked for when none may start: ignored");
            return;
        }
        let names = downloads::list(&self.shared.session.downloads());
        let mut chosen: Vec<Private<String>> = Vec::new();
        for i in files {
            if let Some(name) = names.get(*i) {
                if !chosen.iter().any(|c| c.expose() == name) {
                    chosen.push(Private::new(name.clone()));
                }
            }
        }
        if chosen.is_empty() {
            return;
        }
        self.shared
            .reporter
            .send(&FromView::UsbCopy { files: chosen });
    }

    /// What the take-away draws of the summary and the stick (`None` on other screens).
    pub(super) fn keep_state(&self, screen: UiScreen) -> Option<KeepState> {
        (screen == UiScreen::Takeaway).then(|| {
            self.shared.keep.borrow().state(
                self.shared.policy(),
                self.lang.get(),
                downloads::list(&self.shared.session.downloads()),
            )
        })
    }

    /// The end flow starts: the printable summary goes into the session directory.
    pub(super) fn write_summary(&self) {
        let documents = downloads::list(&self.shared.session.downloads());
        self.shared.keep.borrow_mut().write_summary(
            &self.shared.session,
            self.shared.policy(),
            self.lang.get(),
            documents,
        );
    }
}
