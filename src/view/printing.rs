//! The view's side of the trusted print flow: it asks, guichetd prints.
//!
//! The view cannot reach CUPS (its containment unit has no `/run`), and must not: a page could
//! print anything. So a Print button of the take-away or of the documents screen sends
//! guichetd `print` with the document's name in the session's `downloads/`, and a page's
//! `window.print()` (the PDF viewer's print button too) is rendered, without any dialog, by a
//! WebKit print operation to `prints/page-N.pdf` in the session dir ("Print to File", PDF),
//! then sent the same way. guichetd checks the file, counts its pages, submits the job and
//! answers `print_status`; [`Prints`] keeps the answers, which the take-away shows next to
//! each document and the toolbar shows as a notice for a page, in the person's language.
//!
//! The WebKit print operation is in `printpage.rs`. Nothing here logs a name: only states and
//! counts.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::lang::Lang;
use crate::loggable::Private;
use crate::protocol::view::{FromView, PrintDoc, PrintState};

/// What a print button and its answers say, in one language.
#[derive(Debug, Serialize)]
pub(crate) struct PrintTexts {
    /// The button's word; its name adds the document's ("Print, attestation.pdf").
    pub(crate) print: &'static str,
    /// Sent to guichetd, no answer yet.
    pub(crate) sending: &'static str,
    pub(crate) queued: &'static str,
    pub(crate) printed: &'static str,
    pub(crate) failed: &'static str,
    pub(crate) unsupported: &'static str,
    pub(crate) over_limit: &'static str,
    pub(crate) unreadable: &'static str,
    pub(crate) no_printer: &'static str,
}

const FR: PrintTexts = PrintTexts {
    print: "Imprimer",
    sending: "Envoi à l'imprimante…",
    queued: "En attente à l'imprimante.",
    printed: "Imprimé. Prenez votre feuille à l'imprimante.",
    failed: "L'impression n'a pas marché. Demandez à l'animateur.",
    unsupported: "Ce type de document ne peut pas être imprimé ici.",
    over_limit: "Trop de pages\u{a0}: la limite de cette session est atteinte.",
    unreadable: "Ce document ne peut pas être imprimé.",
    no_printer: "Pas d'imprimante sur cet ordinateur.",
};

const NL: PrintTexts = PrintTexts {
    print: "Afdrukken",
    sending: "Naar de printer sturen…",
    queued: "Wacht bij de printer.",
    printed: "Afgedrukt. Neem uw blad bij de printer.",
    failed: "Afdrukken is mislukt. Vraag het aan de begeleider.",
    unsupported: "Dit soort document kan hier niet worden afgedrukt.",
    over_limit: "Te veel pagina's: de limiet van deze sessie is bereikt.",
    unreadable: "Dit document kan niet worden afgedrukt.",
    no_printer: "Geen printer op deze computer.",
};

const DE: PrintTexts = PrintTexts {
    print: "Drucken",
    sending: "Wird an den Drucker gesendet…",
    queued: "Wartet am Drucker.",
    printed: "Gedruckt. Nehmen Sie Ihr Blatt am Drucker.",
    failed: "Drucken hat nicht geklappt. Fragen Sie die Betreuung.",
    unsupported: "Diese Art von Dokument kann hier nicht gedruckt werden.",
    over_limit: "Zu viele Seiten: Die Grenze dieser Sitzung ist erreicht.",
    unreadable: "Dieses Dokument kann nicht gedruckt werden.",
    no_printer: "Kein Drucker an diesem Computer.",
};

const EN: PrintTexts = PrintTexts {
    print: "Print",
    sending: "Sending to the printer…",
    queued: "Waiting at the printer.",
    printed: "Printed. Take your page at the printer.",
    failed: "Printing did not work. Ask the helper.",
    unsupported: "This kind of document cannot be printed here.",
    over_limit: "Too many pages: this session's limit is reached.",
    unreadable: "This document cannot be printed.",
    no_printer: "No printer on this computer.",
};

pub(crate) fn print_texts(lang: Lang) -> &'static PrintTexts {
    match lang {
        Lang::Fr => &FR,
        Lang::Nl => &NL,
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

/// What the person reads about a print; `None`: sent, no answer yet.
pub(crate) fn state_text(state: Option<PrintState>, lang: Lang) -> &'static str {
    let t = print_texts(lang);
    match state {
        None => t.sending,
        Some(PrintState::Queued) => t.queued,
        Some(PrintState::Printed) => t.printed,
        Some(PrintState::Failed) => t.failed,
        Some(PrintState::Unsupported) => t.unsupported,
        Some(PrintState::OverLimit) => t.over_limit,
        Some(PrintState::Unreadable) => t.unreadable,
        Some(PrintState::NoPrinter) => t.no_printer,
    }
}

/// The take-away's and the documents screen's print part, as the toolbar page draws it.
#[derive(Debug, Serialize)]
pub(crate) struct PrintUi {
    /// The terminal prints (`[printing]`): each document has its Print button.
    pub(crate) enabled: bool,
    pub(crate) t: &'static PrintTexts,
    /// How the last print of each document goes, by document name.
    pub(crate) status: BTreeMap<String, &'static str>,
}

/// What a request printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Download(String),
    Page(u32),
}

/// The session's print requests and their answers.
#[derive(Debug, Default)]
pub(crate) struct Prints {
    next_id: u32,
    pending: HashMap<u32, Target>,
    /// The last print of each download: `None` while guichetd has not answered.
    downloads: BTreeMap<String, Option<PrintState>>,
}

impl Prints {
    fn ask(&mut self, target: Target, doc: PrintDoc) -> FromView {
        self.next_id += 1;
        self.pending.insert(self.next_id, target);
        FromView::Print {
            id: self.next_id,
            doc,
        }
    }

    /// The person pressed Print for the download `name`; the message for guichetd.
    pub(crate) fn print_download(&mut self, name: &str) -> FromView {
        self.downloads.insert(name.to_owned(), None);
        self.ask(
            Target::Download(name.to_owned()),
            PrintDoc::Download(Private::new(name.to_owned())),
        )
    }

    /// The page `n` is rendered in `prints/`; the message for guichetd.
    pub(crate) fn print_page(&mut self, n: u32) -> FromView {
        self.ask(Target::Page(n), PrintDoc::Page(n))
    }

    /// guichetd's answer to request `id`: what it was about, if it was ours.
    pub(crate) fn on_status(&mut self, id: u32, state: PrintState) -> Option<Target> {
        let target = self.pending.get(&id)?.clone();
        if matches!(state, PrintState::Queued) {
            // More answers follow.
        } else {
            self.pending.remove(&id);
        }
        if let Target::Download(name) = &target {
            self.downloads.insert(name.clone(), Some(state));
        }
        Some(target)
    }

    pub(crate) fn ui(&self, lang: Lang, enabled: bool) -> PrintUi {
        PrintUi {
            enabled,
            t: print_texts(lang),
            status: self
                .downloads
                .iter()
                .map(|(name, state)| (name.clone(), state_text(*state, lang)))
                .collect(),
        }
    }
}

/// The notice of a page's print, in the language of `t` (the toolbar's texts).
pub(crate) fn notice_text(state: Option<PrintState>, t: &super::i18n::Texts) -> &'static str {
    let lang = Lang::ALL
        .into_iter()
        .find(|l| std::ptr::eq(super::i18n::texts(*l), t))
        .unwrap_or(Lang::En);
    state_text(state, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_land_next_to_their_document() {
        let mut p = Prints::default();
        let FromView::Print { id, .. } = p.print_download("a.pdf") else {
            panic!()
        };
        assert_eq!(p.ui(Lang::En, true).status["a.pdf"], EN.sending);
        assert_eq!(
            p.on_status(id, PrintState::Queued),
            Some(Target::Download("a.pdf".into()))
        );
        assert_eq!(p.ui(Lang::Fr, true).status["a.pdf"], FR.queued);
        p.on_status(id, PrintState::Printed);
        assert_eq!(p.ui(Lang::Nl, true).status["a.pdf"], NL.printed);
        // Done: a late answer to the same id is not ours any more.
        assert_eq!(p.on_status(id, PrintState::Failed), None);
        assert_eq!(p.on_status(99, PrintState::Failed), None);
    }

    #[test]
    fn a_page_is_named_by_its_number() {
        let mut p = Prints::default();
        assert_eq!(
            p.print_page(1),
            FromView::Print {
                id: 1,
                doc: PrintDoc::Page(1)
            }
        );
        assert_eq!(p.on_status(1, PrintState::OverLimit), Some(Target::Page(1)));
    }
}
