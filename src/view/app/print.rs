//! The event loop's part of printing (`view::printing`): the Print buttons, the pages a site
//! printed, guichetd's answers.

use super::App;
use crate::protocol::view::PrintState;
use crate::view::downloads;
use crate::view::screens::{Input, Notice};
use crate::view::toolbar::UiScreen;

impl App {
    /// Print pressed next to the download `name` (only a document the screen lists).
    pub(super) fn on_print(&self, name: &str) {
        let screen = self.screen();
        let listed = downloads::list(&self.shared.session.downloads())
            .iter()
            .any(|n| n == name);
        if !matches!(screen, UiScreen::Takeaway | UiScreen::Documents) || !listed {
            tracing::debug!(?screen, "print of a document not on screen ignored");
            return;
        }
        let msg = self.prints.borrow_mut().print_download(name);
        self.shared.reporter.send(&msg);
        self.render(screen);
    }

    /// A page's print was rendered to its PDF (or not): guichetd is asked to print it.
    pub(super) fn on_page_rendered(&self, page: Option<u32>) {
        let notice = match page {
            Some(n) => {
                let msg = self.prints.borrow_mut().print_page(n);
                self.shared.reporter.send(&msg);
                Notice::Print(None)
            }
            None if self.shared.config.printing.is_none() => {
                Notice::Print(Some(PrintState::NoPrinter))
            }
            None => Notice::Print(Some(PrintState::Failed)),
        };
        self.feed(Input::Notice(notice));
    }

    /// guichetd's answer to a print request: next to its document, or on the toolbar for a
    /// page.
    pub(super) fn on_print_status(&self, id: u32, state: PrintState) {
        tracing::debug!(?state, "print status");
        let target = self.prints.borrow_mut().on_status(id, state);
        match target {
            Some(crate::view::printing::Target::Page(_)) => {
                self.feed(Input::Notice(Notice::Print(Some(state))))
            }
            Some(crate::view::printing::Target::Download(_)) => self.render(self.screen()),
            None => {}
        }
    }
}
