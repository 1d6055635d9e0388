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
use crate::lang::Localized;

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
    pub start_url: url::Url,
    pub allow: Vec<Rule>,
    pub logout_url: Option<url::Url>,
    pub permissions: Vec<Permission>,
}

/// A validated pack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub id: String,
    pub title: Localized,
    pub services: Vec<Service>,
}
