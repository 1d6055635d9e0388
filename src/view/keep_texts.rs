//! The take-away's texts for the summary of the visit and the copy onto a USB stick, in French,
//! Dutch, German and English (the rest of the take-away's words are in `i18n`).

use serde::Serialize;

use crate::lang::Lang;

/// The summary's and the USB copy's texts of one language.
#[derive(Debug, Serialize)]
pub(crate) struct KeepTexts {
    pub(crate) summary_title: &'static str,
    pub(crate) summary_services: &'static str,
    pub(crate) summary_documents: &'static str,
    pub(crate) summary_no_service: &'static str,
    pub(crate) summary_no_document: &'static str,
    /// The USB part of the take-away: its heading, the documents to choose (a group's name),
    /// then what the stick is doing.
    pub(crate) usb_title: &'static str,
    pub(crate) usb_choose: &'static str,
    pub(crate) usb_insert: &'static str,
    /// A stick that was there before the session: unplug it and plug it in again.
    pub(crate) usb_replug: &'static str,
    pub(crate) usb_present: &'static str,
    pub(crate) usb_copy: &'static str,
    pub(crate) usb_copying: &'static str,
    pub(crate) usb_copied: &'static str,
    pub(crate) usb_failed: &'static str,
}

pub(crate) fn keep_texts(lang: Lang) -> &'static KeepTexts {
    match lang {
        Lang::Fr => &FR,
        Lang::Nl => &NL,
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

static FR: KeepTexts = KeepTexts {
    summary_title: "Résumé de votre visite",
    summary_services: "Services utilisés",
    summary_documents: "Documents obtenus",
    summary_no_service: "Aucun service.",
    summary_no_document: "Aucun document.",
    usb_title: "Copier sur une clé USB",
    usb_choose: "Documents à copier",
    usb_insert: "Branchez une clé USB.",
    usb_replug: "Retirez la clé USB, puis rebranchez-la.",
    usb_present: "La clé USB est prête.",
    usb_copy: "Copier sur la clé USB",
    usb_copying: "Copie en cours. Ne retirez pas la clé.",
    usb_copied: "C'est copié. Vous pouvez retirer la clé USB.",
    usb_failed: "La copie n'a pas marché. Demandez à la personne qui vous aide.",
};

static NL: KeepTexts = KeepTexts {
    summary_title: "Overzicht van uw bezoek",
    summary_services: "Gebruikte diensten",
    summary_documents: "Verkregen documenten",
    summary_no_service: "Geen dienst.",
    summary_no_document: "Geen document.",
    usb_title: "Kopiëren naar een USB-stick",
    usb_choose: "Te kopiëren documenten",
    usb_insert: "Steek een USB-stick in.",
    usb_replug: "Haal de USB-stick eruit en steek hem opnieuw in.",
    usb_present: "De USB-stick is klaar.",
    usb_copy: "Kopiëren naar de USB-stick",
    usb_copying: "Bezig met kopiëren. Haal de stick er niet uit.",
    usb_copied: "Gekopieerd. U mag de USB-stick eruit halen.",
    usb_failed: "Het kopiëren is mislukt. Vraag het aan de begeleider.",
};

static DE: KeepTexts = KeepTexts {
    summary_title: "Übersicht Ihres Besuchs",
    summary_services: "Genutzte Dienste",
    summary_documents: "Erhaltene Dokumente",
    summary_no_service: "Kein Dienst.",
    summary_no_document: "Kein Dokument.",
    usb_title: "Auf einen USB-Stick kopieren",
    usb_choose: "Zu kopierende Dokumente",
    usb_insert: "Stecken Sie einen USB-Stick ein.",
    usb_replug: "Ziehen Sie den USB-Stick ab und stecken Sie ihn wieder ein.",
    usb_present: "Der USB-Stick ist bereit.",
    usb_copy: "Auf den USB-Stick kopieren",
    usb_copying: "Wird kopiert. Ziehen Sie den Stick nicht ab.",
    usb_copied: "Kopiert. Sie können den USB-Stick abziehen.",
    usb_failed: "Das Kopieren ist fehlgeschlagen. Fragen Sie die Betreuungsperson.",
};

static EN: KeepTexts = KeepTexts {
    summary_title: "Summary of your visit",
    summary_services: "Services used",
    summary_documents: "Documents obtained",
    summary_no_service: "No service.",
    summary_no_document: "No document.",
    usb_title: "Copy to a USB stick",
    usb_choose: "Documents to copy",
    usb_insert: "Plug in a USB stick.",
    usb_replug: "Unplug the USB stick, then plug it in again.",
    usb_present: "The USB stick is ready.",
    usb_copy: "Copy to the USB stick",
    usb_copying: "Copying. Do not remove the stick.",
    usb_copied: "Copied. You may remove the USB stick.",
    usb_failed: "The copy did not work. Ask the helper.",
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every language has every text, and each says something of its own.
    #[test]
    fn every_language_has_every_text() {
        let mut firsts = std::collections::HashSet::new();
        for lang in Lang::ALL {
            let json = serde_json::to_value(keep_texts(lang)).unwrap();
            let texts = json.as_object().unwrap();
            assert_eq!(texts.len(), 14, "{lang:?}");
            for (key, value) in texts {
                assert!(!value.as_str().unwrap().trim().is_empty(), "{key} {lang:?}");
            }
            assert!(firsts.insert(keep_texts(lang).usb_copied), "{lang:?}");
        }
    }
}
