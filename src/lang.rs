//! The languages a person can choose, and texts given in every one of them.
//!
//! guichet speaks the languages of Belgium's public services (French, Dutch, German) and
//! English. A [`Lang`] reaches everything the person sees: guichet's own screens, the
//! `Accept-Language` of the content view, a service's start page. Packs give every name as a
//! [`Localized`] text, all four languages required.

use serde::{Deserialize, Serialize};

/// The four languages of Belgium's public services (plus English).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fr,
    Nl,
    De,
    En,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Fr, Lang::Nl, Lang::De, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::Nl => "nl",
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// A text in every language; packs must give all four.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub fr: String,
    pub nl: String,
    pub de: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::Nl => &self.nl,
            Lang::De => &self.de,
            Lang::En => &self.en,
        }
    }

    /// The same text in every language (for local rules the admin adds).
    pub fn same(text: &str) -> Localized {
        Localized {
            fr: text.into(),
            nl: text.into(),
            de: text.into(),
            en: text.into(),
        }
    }
}
