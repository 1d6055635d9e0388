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
//! start_url = "https://eservices.minfin.fgov.be/myminfin-web/"   # or { fr = "…", nl = "…", de = "…", en = "…" }
//! allow = ["eservices.minfin.fgov.be", "*.myminfin.be"]
//! resources = ["cdn.example.be"]    # optional: hosts its pages load images/scripts from
//! logout_url = "https://…"          # optional
//! permissions = ["camera"]          # optional
//! ```
//!
//! A pack may say `requires = ["be-login"]` at the top: its services send people through that
//! pack's hosts (the login), so `check-config` warns when it is not enabled.
//!
//! This module holds the validated types; [`crate::config`] reads the files and reports errors
//! with `file:line:col`.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::rule::Rule;
use crate::lang::{Lang, Localized};

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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: String,
    /// Id of the pack that defines it (`local` for `[policy] extra`).
    pub pack: String,
    pub names: Localized,
    pub category: Category,
    pub start_url: StartUrls,
    /// Where a person may navigate.
    pub allow: Vec<Rule>,
    /// Where its pages load sub-resources from (images, scripts, fetches) without being a
    /// place to navigate to; used by the content filter when `subresources = "policy"`.
    pub resources: Vec<Rule>,
    pub logout_url: Option<url::Url>,
    pub permissions: Vec<Permission>,
}

/// One URL when every language has the same, else `fr=… nl=… de=… en=…`.
impl fmt::Display for StartUrls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_same() {
            return f.write_str(self.fr.as_str());
        }
        let parts: Vec<String> = self
            .all()
            .iter()
            .map(|(l, u)| format!("{}={u}", l.code()))
            .collect();
        f.write_str(&parts.join(" "))
    }
}

/// A validated pack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub id: String,
    pub title: Localized,
    /// Packs whose hosts its procedures pass through (the login): `check-config` warns when
    /// one of them is not enabled.
    pub requires: Vec<String>,
    pub services: Vec<Service>,
}

/// The page a service opens on, in each language (the same URL four times when the pack
/// gives one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartUrls {
    pub fr: url::Url,
    pub nl: url::Url,
    pub de: url::Url,
    pub en: url::Url,
}

impl StartUrls {
    /// One start page whatever the language.
    pub fn same(url: url::Url) -> StartUrls {
        StartUrls {
            fr: url.clone(),
            nl: url.clone(),
            de: url.clone(),
            en: url,
        }
    }

    /// The start page for the person's language.
    pub fn get(&self, lang: Lang) -> &url::Url {
        match lang {
            Lang::Fr => &self.fr,
            Lang::Nl => &self.nl,
            Lang::De => &self.de,
            Lang::En => &self.en,
        }
    }

    /// Whether every language has the same page.
    pub fn is_same(&self) -> bool {
        self.nl == self.fr && self.de == self.fr && self.en == self.fr
    }

    /// Each language with its URL.
    pub fn all(&self) -> [(Lang, &url::Url); 4] {
        Lang::ALL.map(|l| (l, self.get(l)))
    }
}
