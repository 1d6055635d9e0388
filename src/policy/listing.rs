//! What `guichetctl policy list` shows a site admin: every pack and service of a config, with
//! the names people see, the category statistics count, the start page per language, the
//! rules that decide where a person may go and what pages may load, and the logout URL.
//!
//! Two forms: [`render_table`] for reading (one block per service) and [`Listing`] serialized
//! as JSON for tools. Both come from the compiled policy, so what is listed is what decides —
//! including the `local` service of `[policy] extra`.

use serde::Serialize;

use super::{Pack, Service, LOCAL_ID};
use crate::lang::{Lang, Localized};

/// One pack as listed: the config's pack, or the `local` pseudo-pack of `[policy] extra`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListedPack<'a> {
    pub id: &'a str,
    pub title: Localized,
    pub requires: &'a [String],
    pub services: Vec<&'a Service>,
}

/// Every pack of a config in priority order, as `--format json` prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listing<'a> {
    pub packs: Vec<ListedPack<'a>>,
}

impl<'a> Listing<'a> {
    /// The packs in config order, each with the services the compiled policy holds for it,
    /// then `local` when `[policy] extra` has rules.
    pub fn new(packs: &'a [Pack], services: &'a [Service]) -> Listing<'a> {
        let of = |id: &str| services.iter().filter(|s| s.pack == id).collect::<Vec<_>>();
        let mut listed: Vec<ListedPack<'a>> = packs
            .iter()
            .map(|p| ListedPack {
                id: &p.id,
                title: p.title.clone(),
                requires: &p.requires,
                services: of(&p.id),
            })
            .collect();
        let local = of(LOCAL_ID);
        if !local.is_empty() {
            listed.push(ListedPack {
                id: LOCAL_ID,
                title: Localized::same("Local rules ([policy] extra)"),
                requires: &[],
                services: local,
            });
        }
        Listing { packs: listed }
    }

    /// The ids a `--pack` filter may name.
    pub fn ids(&self) -> Vec<&'a str> {
        self.packs.iter().map(|p| p.id).collect()
    }

    /// Keeps only the pack `id`; `false` when the config has no such pack.
    pub fn keep_only(&mut self, id: &str) -> bool {
        self.packs.retain(|p| p.id == id);
        !self.packs.is_empty()
    }
}

/// The listing for people: a header per pack, a block per service.
pub fn render_table(listing: &Listing<'_>) -> String {
    let mut out = String::new();
    for (i, pack) in listing.packs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("pack {}: {}\n", pack.id, pack.title.en));
        if !pack.requires.is_empty() {
            out.push_str(&format!("  requires: {}\n", pack.requires.join(", ")));
        }
        for s in &pack.services {
            render_service(&mut out, s);
        }
    }
    out
}

fn render_service(out: &mut String, s: &Service) {
    let join = |rules: &[super::Rule]| {
        rules
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push_str(&format!("\n  service {} [{}]\n", s.id, s.category));
    for lang in Lang::ALL {
        out.push_str(&format!(
            "    name {}: {}\n",
            lang.code(),
            s.names.get(lang)
        ));
    }
    if s.start_url.is_same() {
        out.push_str(&format!("    start: {}\n", s.start_url.fr));
    } else {
        for (lang, url) in s.start_url.all() {
            out.push_str(&format!("    start {}: {url}\n", lang.code()));
        }
    }
    out.push_str(&format!("    allow: {}\n", join(&s.allow)));
    if !s.resources.is_empty() {
        out.push_str(&format!("    resources: {}\n", join(&s.resources)));
    }
    match &s.logout_url {
        Some(u) => out.push_str(&format!("    logout: {u}\n")),
        None => out.push_str("    logout: none\n"),
    }
}
