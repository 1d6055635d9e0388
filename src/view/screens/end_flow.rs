//! The end flow's transitions: the ending screen while each logout URL is visited, one at a
//! time, under a bound on them all, then goodbye and `ended`.

use crate::protocol::view::{FromView, Logout};

use super::{Output, Screens, LOGOUT_TOTAL_TIMEOUT, LOGOUT_VISIT_TIMEOUT};
use crate::view::toolbar::UiScreen;

/// The end flow, from `end_session` on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Ending {
    pub(super) logouts: Vec<Logout>,
    /// Index of the logout being visited, when visiting.
    pub(super) visiting: Option<usize>,
}

impl Screens {
    /// Visits each logout URL in the content view (hidden behind the ending screen).
    pub(super) fn visit_logouts(&mut self, out: &mut Vec<Output>) {
        self.show(UiScreen::Ending, out);
        if let Some(e) = self.ending.as_mut() {
            e.visiting = Some(0);
            if !e.logouts.is_empty() {
                self.logout_round += 1;
                out.push(Output::BoundLogouts {
                    round: self.logout_round,
                    after: LOGOUT_TOTAL_TIMEOUT,
                });
            }
        }
        self.visit_current(out);
    }

    pub(super) fn visit_current(&mut self, out: &mut Vec<Output>) {
        let Some(e) = self.ending.as_ref() else {
            return;
        };
        match e.visiting.and_then(|i| e.logouts.get(i)).cloned() {
            Some(Logout { service, url }) => {
                self.logout_seq += 1;
                out.push(Output::VisitLogout {
                    service,
                    url,
                    seq: self.logout_seq,
                    timeout: LOGOUT_VISIT_TIMEOUT,
                });
            }
            None => self.goodbye(out),
        }
    }

    pub(super) fn next_logout(&mut self, out: &mut Vec<Output>) {
        if let Some(e) = self.ending.as_mut() {
            e.visiting = e.visiting.map(|i| i + 1);
        }
        self.logout_seq += 1;
        self.visit_current(out);
    }

    pub(super) fn goodbye(&mut self, out: &mut Vec<Output>) {
        out.push(Output::DisarmVisit);
        if let Some(e) = self.ending.as_mut() {
            if e.visiting.is_none() {
                return;
            }
            e.visiting = None;
            e.logouts.clear();
        }
        out.push(Output::Blank);
        self.show(UiScreen::Goodbye, out);
        out.push(Output::Report(FromView::Ended));
    }
}
