//! Every text the person reads, in French, Dutch, German and English.
//!
//! One table, used both by the toolbar app (sent to it as JSON) and by the pages the content
//! view shows (blocked page, errors), so a text is translated once. Short sentences, plain
//! words: the person may be stressed and may not read the language well.

use serde::Serialize;

use crate::lang::Lang;
use crate::policy::BlockReason;

use super::downloads::Refusal;

/// The texts of one language.
#[derive(Debug, Serialize)]
pub(crate) struct Texts {
    pub(crate) lang_name: &'static str,
    pub(crate) welcome_title: &'static str,
    pub(crate) welcome_lead: &'static str,
    pub(crate) choose_language: &'static str,
    /// The welcome's promise, in plain words.
    pub(crate) privacy_promise: &'static str,
    pub(crate) home: &'static str,
    pub(crate) back: &'static str,
    pub(crate) zoom_out: &'static str,
    pub(crate) zoom_in: &'static str,
    pub(crate) documents: &'static str,
    pub(crate) end_session: &'static str,
    /// The toolbar's "call the helper" button (its word, one short word; its full name for
    /// screen readers and the services screen), and what it says once pressed.
    pub(crate) help: &'static str,
    pub(crate) call_helper: &'static str,
    pub(crate) helper_called: &'static str,
    /// "Report a problem with this site": the button, the question (`{service}` is the
    /// service's name), the four kinds of problem, and the thanks on the toolbar.
    pub(crate) report_problem: &'static str,
    pub(crate) report_title: &'static str,
    pub(crate) report_body: &'static str,
    pub(crate) problem_page_broken: &'static str,
    pub(crate) problem_login_fails: &'static str,
    pub(crate) problem_cannot_download: &'static str,
    pub(crate) problem_other: &'static str,
    pub(crate) problem_thanks: &'static str,
    pub(crate) still_there_title: &'static str,
    /// `{n}` is replaced by the seconds left.
    pub(crate) still_there_body: &'static str,
    pub(crate) still_there_button: &'static str,
    pub(crate) max_time_title: &'static str,
    /// `{n}` is replaced by the seconds left.
    pub(crate) max_time_body: &'static str,
    pub(crate) max_time_button: &'static str,
    pub(crate) takeaway_title: &'static str,
    pub(crate) takeaway_body: &'static str,
    pub(crate) no_documents: &'static str,
    pub(crate) finish: &'static str,
    pub(crate) ending: &'static str,
    pub(crate) goodbye_title: &'static str,
    pub(crate) goodbye_body: &'static str,
    /// Home inside a session: the services screen.
    pub(crate) session_open_title: &'static str,
    pub(crate) session_open_lead: &'static str,
    pub(crate) back_to_page: &'static str,
    /// End asks once.
    pub(crate) confirm_end_title: &'static str,
    pub(crate) confirm_end_body: &'static str,
    pub(crate) confirm_end_yes: &'static str,
    pub(crate) confirm_end_no: &'static str,
    pub(crate) paused_title: &'static str,
    pub(crate) out_of_order_title: &'static str,
    pub(crate) ask_helper: &'static str,
    pub(crate) picker_title: &'static str,
    pub(crate) picker_body: &'static str,
    pub(crate) cancel: &'static str,
    /// Downloads are turned off on this terminal.
    pub(crate) download_refused: &'static str,
    pub(crate) download_done: &'static str,
    pub(crate) refused_not_by_you: &'static str,
    pub(crate) refused_blocked_type: &'static str,
    pub(crate) refused_too_big: &'static str,
    pub(crate) refused_too_many: &'static str,
    pub(crate) refused_session_full: &'static str,
    pub(crate) blocked_title: &'static str,
    pub(crate) blocked_services: &'static str,
    pub(crate) error_title: &'static str,
    pub(crate) error_tls: &'static str,
    pub(crate) error_network: &'static str,
    pub(crate) error_timeout: &'static str,
    pub(crate) error_site: &'static str,
    /// The error page's button: load the failed page again.
    pub(crate) retry: &'static str,
    /// `{n}` is replaced by the seconds before the error page tries again by itself.
    pub(crate) retry_auto: &'static str,
    pub(crate) reason_scheme: &'static str,
    pub(crate) reason_userinfo: &'static str,
    pub(crate) reason_ip: &'static str,
    pub(crate) reason_http: &'static str,
    pub(crate) reason_not_listed: &'static str,
    pub(crate) reason_unparsable: &'static str,
}

impl Texts {
    /// Why a page was blocked, in words for the person.
    pub(crate) fn reason(&self, reason: BlockReason) -> &'static str {
        match reason {
            BlockReason::Unparsable => self.reason_unparsable,
            BlockReason::Scheme => self.reason_scheme,
            BlockReason::Userinfo => self.reason_userinfo,
            BlockReason::IpLiteral => self.reason_ip,
            BlockReason::InsecureHttp => self.reason_http,
            BlockReason::NotListed => self.reason_not_listed,
        }
    }
}

impl Texts {
    /// Why a download was refused, in words for the person: one text per reason.
    pub(crate) fn refusal(&self, refusal: Refusal) -> &'static str {
        match refusal {
            Refusal::Disabled => self.download_refused,
            Refusal::NotByYou => self.refused_not_by_you,
            Refusal::BlockedExtension => self.refused_blocked_type,
            Refusal::TooLarge => self.refused_too_big,
            Refusal::TooManyFiles => self.refused_too_many,
            Refusal::SessionFull => self.refused_session_full,
        }
    }
}

/// The table for `lang`.
pub(crate) fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Fr => &FR,
        Lang::Nl => &NL,
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

static FR: Texts = Texts {
    lang_name: "Français",
    welcome_title: "Bienvenue",
    welcome_lead: "Touchez le service que vous voulez utiliser.",
    choose_language: "Langue",
    privacy_promise: "Quand vous terminez, tout ce que vous avez fait ici est effacé. Personne, pas même la personne qui vous aide, ne peut le voir ensuite.",
    home: "Accueil",
    back: "Retour",
    zoom_out: "Plus petit",
    zoom_in: "Plus grand",
    documents: "Mes documents",
    end_session: "Terminer",
    help: "Aide",
    call_helper: "Appeler l'aide",
    helper_called: "La personne qui aide a été appelée.",
    report_problem: "Signaler un problème avec ce site",
    report_title: "Quel est le problème\u{a0}?",
    report_body: "Avec\u{a0}: {service}. Rien d'autre n'est envoyé\u{a0}: ni la page, ni ce que vous avez écrit.",
    problem_page_broken: "La page ne marche pas",
    problem_login_fails: "Je ne peux pas me connecter",
    problem_cannot_download: "Je ne peux pas télécharger",
    problem_other: "Autre chose",
    problem_thanks: "Merci, le problème a été signalé.",
    still_there_title: "Êtes-vous toujours là ?",
    still_there_body: "Sans réponse, la session se termine dans {n} secondes et tout sera effacé.",
    still_there_button: "Oui, je continue",
    max_time_title: "Votre session se termine bientôt",
    max_time_body: "La durée maximale d'une session est atteinte : elle se termine dans {n} secondes et tout sera effacé. Imprimez ou enregistrez maintenant ce dont vous avez besoin.",
    max_time_button: "Retour à ma page",
    takeaway_title: "Vos documents",
    takeaway_body: "Voici les documents de cette session. Ils vont être effacés de cet ordinateur.",
    no_documents: "Aucun document.",
    finish: "Terminer la session",
    ending: "Déconnexion des services…",
    goodbye_title: "Au revoir",
    goodbye_body: "Tout ce que vous avez fait ici a été effacé.",
    session_open_title: "Votre session est ouverte",
    session_open_lead: "Choisissez un service, ou revenez à votre page.",
    back_to_page: "Retour à ma page",
    confirm_end_title: "Terminer et tout effacer\u{a0}?",
    confirm_end_body: "Les pages, les formulaires et les documents de cette session seront effacés.",
    confirm_end_yes: "Oui, terminer",
    confirm_end_no: "Non, revenir",
    paused_title: "Ce poste est en pause",
    out_of_order_title: "Ce poste est hors service",
    ask_helper: "Demandez de l'aide à la personne qui vous accompagne.",
    picker_title: "Choisir un document",
    picker_body: "Seuls les documents de cette session sont proposés.",
    cancel: "Annuler",
    download_refused: "Ce fichier ne peut pas être téléchargé ici.",
    download_done: "Document enregistré dans «\u{a0}Mes documents\u{a0}».",
    refused_not_by_you: "Téléchargement refusé\u{a0}: vous n'avez pas cliqué.",
    refused_blocked_type: "Téléchargement refusé\u{a0}: type de fichier interdit.",
    refused_too_big: "Téléchargement refusé\u{a0}: fichier trop gros.",
    refused_too_many: "Téléchargement refusé\u{a0}: trop de documents.",
    refused_session_full: "Téléchargement refusé\u{a0}: plus assez de place.",
    blocked_title: "Cette page n'est pas disponible ici",
    blocked_services: "Vous pouvez utiliser ces services :",
    error_title: "La page ne peut pas s'afficher",
    error_tls: "La connexion à ce site n'est pas sûre. Elle a été arrêtée pour vous protéger.",
    error_network: "Impossible de joindre ce site : la connexion a échoué.",
    error_timeout: "Le site ne répond pas.",
    error_site: "Le site a un problème : il n'a pas envoyé de page.",
    retry: "Réessayer",
    retry_auto: "Nouvel essai automatique dans {n} secondes.",
    reason_scheme: "Ce type d'adresse n'est pas permis sur ce poste.",
    reason_userinfo: "Cette adresse contient un nom d'utilisateur : elle pourrait tromper.",
    reason_ip: "Cette adresse n'est pas celle d'un service autorisé.",
    reason_http: "Ce site n'est pas sécurisé (http).",
    reason_not_listed: "Ce site ne fait pas partie des services publics autorisés sur ce poste.",
    reason_unparsable: "Cette adresse n'est pas valide.",
};

static NL: Texts = Texts {
    lang_name: "Nederlands",
    welcome_title: "Welkom",
    welcome_lead: "Raak de dienst aan die u wilt gebruiken.",
    choose_language: "Taal",
    privacy_promise: "Als u stopt, wordt alles wat u hier deed gewist. Niemand, ook de begeleider niet, kan het daarna zien.",
    home: "Start",
    back: "Terug",
    zoom_out: "Kleiner",
    zoom_in: "Groter",
    documents: "Mijn documenten",
    end_session: "Stoppen",
    help: "Hulp",
    call_helper: "Hulp roepen",
    helper_called: "De begeleider is geroepen.",
    report_problem: "Een probleem met deze site melden",
    report_title: "Wat is het probleem?",
    report_body: "Met: {service}. Niets anders wordt verstuurd: niet de pagina, niet wat u schreef.",
    problem_page_broken: "De pagina werkt niet",
    problem_login_fails: "Ik kan niet inloggen",
    problem_cannot_download: "Ik kan niet downloaden",
    problem_other: "Iets anders",
    problem_thanks: "Bedankt, het probleem is gemeld.",
    still_there_title: "Bent u er nog?",
    still_there_body: "Zonder antwoord stopt de sessie over {n} seconden en wordt alles gewist.",
    still_there_button: "Ja, ik ga verder",
    max_time_title: "Uw sessie stopt binnenkort",
    max_time_body: "De maximale duur van een sessie is bereikt: ze stopt over {n} seconden en alles wordt gewist. Druk nu af of bewaar wat u nodig hebt.",
    max_time_button: "Terug naar mijn pagina",
    takeaway_title: "Uw documenten",
    takeaway_body: "Dit zijn de documenten van deze sessie. Ze worden van deze computer gewist.",
    no_documents: "Geen documenten.",
    finish: "Sessie beëindigen",
    ending: "Afmelden bij de diensten…",
    goodbye_title: "Tot ziens",
    goodbye_body: "Alles wat u hier deed, is gewist.",
    session_open_title: "Uw sessie is open",
    session_open_lead: "Kies een dienst, of ga terug naar uw pagina.",
    back_to_page: "Terug naar mijn pagina",
    confirm_end_title: "Stoppen en alles wissen?",
    confirm_end_body: "De pagina's, formulieren en documenten van deze sessie worden gewist.",
    confirm_end_yes: "Ja, stoppen",
    confirm_end_no: "Nee, terug",
    paused_title: "Deze computer is gepauzeerd",
    out_of_order_title: "Deze computer is buiten gebruik",
    ask_helper: "Vraag hulp aan de persoon die u begeleidt.",
    picker_title: "Een document kiezen",
    picker_body: "Alleen de documenten van deze sessie worden getoond.",
    cancel: "Annuleren",
    download_refused: "Dit bestand kan hier niet gedownload worden.",
    download_done: "Document bewaard in \u{201c}Mijn documenten\u{201d}.",
    refused_not_by_you: "Download geweigerd: u hebt niet geklikt.",
    refused_blocked_type: "Download geweigerd: dit soort bestand mag niet.",
    refused_too_big: "Download geweigerd: bestand te groot.",
    refused_too_many: "Download geweigerd: te veel documenten.",
    refused_session_full: "Download geweigerd: niet genoeg plaats meer.",
    blocked_title: "Deze pagina is hier niet beschikbaar",
    blocked_services: "U kunt deze diensten gebruiken:",
    error_title: "De pagina kan niet worden getoond",
    error_tls: "De verbinding met deze site is niet veilig. Ze werd gestopt om u te beschermen.",
    error_network: "Deze site is niet bereikbaar: de verbinding is mislukt.",
    error_timeout: "De site antwoordt niet.",
    error_site: "De site heeft een probleem: er kwam geen pagina.",
    retry: "Opnieuw proberen",
    retry_auto: "Over {n} seconden wordt het automatisch opnieuw geprobeerd.",
    reason_scheme: "Dit soort adres is niet toegelaten op deze computer.",
    reason_userinfo: "Dit adres bevat een gebruikersnaam: het kan misleidend zijn.",
    reason_ip: "Dit adres is niet dat van een toegelaten dienst.",
    reason_http: "Deze site is niet beveiligd (http).",
    reason_not_listed: "Deze site hoort niet bij de toegelaten openbare diensten op deze computer.",
    reason_unparsable: "Dit adres is niet geldig.",
};

static DE: Texts = Texts {
    lang_name: "Deutsch",
    welcome_title: "Willkommen",
    welcome_lead: "Tippen Sie auf den Dienst, den Sie benutzen möchten.",
    choose_language: "Sprache",
    privacy_promise: "Wenn Sie beenden, wird alles, was Sie hier gemacht haben, gelöscht. Niemand, auch nicht die Begleitperson, kann es danach sehen.",
    home: "Start",
    back: "Zurück",
    zoom_out: "Kleiner",
    zoom_in: "Größer",
    documents: "Meine Dokumente",
    end_session: "Beenden",
    help: "Hilfe",
    call_helper: "Hilfe rufen",
    helper_called: "Die Begleitperson wurde gerufen.",
    report_problem: "Ein Problem mit dieser Seite melden",
    report_title: "Was ist das Problem?",
    report_body: "Mit: {service}. Sonst wird nichts gesendet: nicht die Seite, nicht was Sie geschrieben haben.",
    problem_page_broken: "Die Seite funktioniert nicht",
    problem_login_fails: "Ich kann mich nicht anmelden",
    problem_cannot_download: "Ich kann nicht herunterladen",
    problem_other: "Etwas anderes",
    problem_thanks: "Danke, das Problem wurde gemeldet.",
    still_there_title: "Sind Sie noch da?",
    still_there_body: "Ohne Antwort endet die Sitzung in {n} Sekunden und alles wird gelöscht.",
    still_there_button: "Ja, weitermachen",
    max_time_title: "Ihre Sitzung endet bald",
    max_time_body: "Die Höchstdauer einer Sitzung ist erreicht: Sie endet in {n} Sekunden und alles wird gelöscht. Drucken oder speichern Sie jetzt, was Sie brauchen.",
    max_time_button: "Zurück zu meiner Seite",
    takeaway_title: "Ihre Dokumente",
    takeaway_body:
        "Das sind die Dokumente dieser Sitzung. Sie werden von diesem Computer gelöscht.",
    no_documents: "Keine Dokumente.",
    finish: "Sitzung beenden",
    ending: "Abmeldung bei den Diensten…",
    goodbye_title: "Auf Wiedersehen",
    goodbye_body: "Alles, was Sie hier gemacht haben, wurde gelöscht.",
    session_open_title: "Ihre Sitzung ist geöffnet",
    session_open_lead: "Wählen Sie einen Dienst, oder gehen Sie zurück zu Ihrer Seite.",
    back_to_page: "Zurück zu meiner Seite",
    confirm_end_title: "Beenden und alles löschen?",
    confirm_end_body: "Die Seiten, Formulare und Dokumente dieser Sitzung werden gelöscht.",
    confirm_end_yes: "Ja, beenden",
    confirm_end_no: "Nein, zurück",
    paused_title: "Dieser Platz ist pausiert",
    out_of_order_title: "Dieser Platz ist außer Betrieb",
    ask_helper: "Fragen Sie die Person, die Sie begleitet.",
    picker_title: "Ein Dokument wählen",
    picker_body: "Nur die Dokumente dieser Sitzung werden angezeigt.",
    cancel: "Abbrechen",
    download_refused: "Diese Datei kann hier nicht heruntergeladen werden.",
    download_done: "Dokument in \u{201e}Meine Dokumente\u{201c} gespeichert.",
    refused_not_by_you: "Download abgelehnt: Sie haben nicht geklickt.",
    refused_blocked_type: "Download abgelehnt: Dateityp nicht erlaubt.",
    refused_too_big: "Download abgelehnt: Datei zu groß.",
    refused_too_many: "Download abgelehnt: zu viele Dokumente.",
    refused_session_full: "Download abgelehnt: nicht genug Platz mehr.",
    blocked_title: "Diese Seite ist hier nicht verfügbar",
    blocked_services: "Sie können diese Dienste benutzen:",
    error_title: "Die Seite kann nicht angezeigt werden",
    error_tls:
        "Die Verbindung zu dieser Seite ist nicht sicher. Sie wurde zu Ihrem Schutz gestoppt.",
    error_network: "Diese Seite ist nicht erreichbar: Die Verbindung ist fehlgeschlagen.",
    error_timeout: "Die Seite antwortet nicht.",
    error_site: "Die Seite hat ein Problem: Sie hat keine Seite gesendet.",
    retry: "Erneut versuchen",
    retry_auto: "Automatisch neuer Versuch in {n} Sekunden.",
    reason_scheme: "Diese Art von Adresse ist an diesem Platz nicht erlaubt.",
    reason_userinfo: "Diese Adresse enthält einen Benutzernamen: Sie könnte täuschen.",
    reason_ip: "Diese Adresse gehört zu keinem erlaubten Dienst.",
    reason_http: "Diese Seite ist nicht gesichert (http).",
    reason_not_listed:
        "Diese Seite gehört nicht zu den erlaubten öffentlichen Diensten an diesem Platz.",
    reason_unparsable: "Diese Adresse ist ungültig.",
};

static EN: Texts = Texts {
    lang_name: "English",
    welcome_title: "Welcome",
    welcome_lead: "Touch the service you want to use.",
    choose_language: "Language",
    privacy_promise: "When you finish, everything you did here is erased. Nobody, not even the helper, can see it afterwards.",
    home: "Home",
    back: "Back",
    zoom_out: "Smaller",
    zoom_in: "Bigger",
    documents: "My documents",
    end_session: "Finish",
    help: "Help",
    call_helper: "Call helper",
    helper_called: "The helper has been called.",
    report_problem: "Report a problem with this site",
    report_title: "What is the problem?",
    report_body: "With: {service}. Nothing else is sent: not the page, not what you wrote.",
    problem_page_broken: "The page does not work",
    problem_login_fails: "I cannot log in",
    problem_cannot_download: "I cannot download",
    problem_other: "Something else",
    problem_thanks: "Thank you, the problem was reported.",
    still_there_title: "Are you still there?",
    still_there_body:
        "Without an answer, the session ends in {n} seconds and everything is erased.",
    still_there_button: "Yes, continue",
    max_time_title: "Your session ends soon",
    max_time_body: "The maximum time for a session has been reached: it ends in {n} seconds and everything will be erased. Print or save what you need now.",
    max_time_button: "Back to my page",
    takeaway_title: "Your documents",
    takeaway_body:
        "These are the documents of this session. They will be erased from this computer.",
    no_documents: "No documents.",
    finish: "End the session",
    ending: "Logging out of the services…",
    goodbye_title: "Goodbye",
    goodbye_body: "Everything you did here has been erased.",
    session_open_title: "Your session is open",
    session_open_lead: "Choose a service, or go back to your page.",
    back_to_page: "Back to my page",
    confirm_end_title: "End and erase everything?",
    confirm_end_body: "The pages, forms and documents of this session will be erased.",
    confirm_end_yes: "Yes, end",
    confirm_end_no: "No, go back",
    paused_title: "This computer is paused",
    out_of_order_title: "This computer is out of order",
    ask_helper: "Ask the person helping you.",
    picker_title: "Choose a document",
    picker_body: "Only the documents of this session are offered.",
    cancel: "Cancel",
    download_refused: "This file cannot be downloaded here.",
    download_done: "Document saved in \u{201c}My documents\u{201d}.",
    refused_not_by_you: "Download refused: you did not click for it.",
    refused_blocked_type: "Download refused: file type not allowed.",
    refused_too_big: "Download refused: file too big.",
    refused_too_many: "Download refused: too many documents.",
    refused_session_full: "Download refused: not enough room left.",
    blocked_title: "This page is not available here",
    blocked_services: "You can use these services:",
    error_title: "The page cannot be shown",
    error_tls: "The connection to this site is not safe. It was stopped to protect you.",
    error_network: "This site cannot be reached: the connection failed.",
    error_timeout: "The site does not answer.",
    error_site: "The site has a problem: it sent no page.",
    retry: "Try again",
    retry_auto: "Trying again by itself in {n} seconds.",
    reason_scheme: "This kind of address is not allowed on this computer.",
    reason_userinfo: "This address contains a user name: it could be a trick.",
    reason_ip: "This address is not the one of an approved service.",
    reason_http: "This site is not secure (http).",
    reason_not_listed: "This site is not one of the public services approved on this computer.",
    reason_unparsable: "This address is not valid.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_text() {
        for lang in Lang::ALL {
            let json = serde_json::to_value(texts(lang)).unwrap();
            for (key, value) in json.as_object().unwrap() {
                assert!(
                    !value.as_str().unwrap().trim().is_empty(),
                    "{key} empty in {lang:?}"
                );
            }
            assert!(texts(lang).still_there_body.contains("{n}"));
            assert!(texts(lang).max_time_body.contains("{n}"));
            assert!(texts(lang).retry_auto.contains("{n}"));
        }
    }

    /// Each refusal has its own words, in every language.
    #[test]
    fn every_refusal_reason_says_something_different() {
        let reasons = [
            Refusal::Disabled,
            Refusal::NotByYou,
            Refusal::BlockedExtension,
            Refusal::TooLarge,
            Refusal::TooManyFiles,
            Refusal::SessionFull,
        ];
        for lang in Lang::ALL {
            let t = texts(lang);
            let mut said: Vec<&str> = reasons
                .iter()
                .map(|r| t.refusal(*r))
                .chain([t.download_done])
                .collect();
            // The toolbar's notice slot holds three short lines: keep each text short.
            for text in &said {
                assert!(
                    text.chars().count() <= 52,
                    "{lang:?}: too long for the toolbar: {text}"
                );
            }
            said.sort_unstable();
            said.dedup();
            assert_eq!(said.len(), reasons.len() + 1, "{lang:?}");
        }
    }
}
