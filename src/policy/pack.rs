//! Policy packs: curated lists of public services, one TOML file each in `policies/`.
//!
//! ```toml
//! id = "be-federal"
//! title = { fr = "…", nl = "…", de = "…", en = "…" }
//!
//! [[service]]
//! id = "myminfin"
//! names = { fr = "MyMinfin (impôts)", nl = "MyMinfin (belastingen)", de = "…", en = "…" }
//! category = "taxes"
//! start_url = "https://eservices.minfin.fgov.be/myminfin-web/"
//! allow = ["eservices.minfin.fgov.be", "*.myminfin.be"]
//! logout_url = "https://…"          # optional
//! permissions = ["camera"]          # optional
//! ```
//!
//! This module holds the validated types; [`crate::config`] reads the files and reports errors
//! with `file:line:col`.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::rule::Rule;

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

/// The kind of procedure a service is for. Statistics count these, never hosts of a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Logging in (eID, itsme, CSAM).
    Identity,
    Taxes,
    Pension,
    Unemployment,
    Employment,
    Health,
    Family,
    Mobility,
    Housing,
    Justice,
    Administration,
    Banking,
    Utilities,
    Other,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Identity => "identity",
            Category::Taxes => "taxes",
            Category::Pension => "pension",
            Category::Unemployment => "unemployment",
            Category::Employment => "employment",
            Category::Health => "health",
            Category::Family => "family",
            Category::Mobility => "mobility",
            Category::Housing => "housing",
            Category::Justice => "justice",
            Category::Administration => "administration",
            Category::Banking => "banking",
            Category::Utilities => "utilities",
            Category::Other => "other",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a page of a service may ask the browser for; everything else is denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Camera,
    Microphone,
    Geolocation,
    Notifications,
    ClipboardRead,
}

/// One approved service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    /// Id of the pack that defines it (`local` for `[policy] extra`).
    pub pack: String,
    pub names: Localized,
    pub category: Category,
    pub start_url: url::Url,
    pub allow: Vec<Rule>,
    pub logout_url: Option<url::Url>,
    pub permissions: Vec<Permission>,
}

/// A validated pack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pack {
    pub id: String,
    pub title: Localized,
    pub services: Vec<Service>,
}
