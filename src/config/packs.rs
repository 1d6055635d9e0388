//! Finding and checking the policy packs that `[policy] packs` names, and the `local` service.
//!
//! Packs are looked up by id in the pack folders (a later folder overrides an earlier one);
//! each is strict TOML, checked like the config with `file:line:col` errors: ids, rules, URLs
//! that must be reachable through the service's own rules (over https, or over plain http for
//! a host the site lists in `[policy] allow_http` and an `http://` rule of the service),
//! service ids unique across packs.
//! `[policy] extra` becomes one more service, [`LOCAL_ID`], after the packs.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::raw::{RawPack, RawStartUrl};
use super::{read, ConfigError, Source};
use crate::lang::Localized;
use crate::policy::{Decision, Pack, Policy, Rule, Service, StartUrls, LOCAL_ID};

/// `[policy] extra` becomes one service, `local`, in category `other`, starting at the place
/// its first rule names.
pub(super) fn local_service(
    extra: &[Spanned<String>],
    src: &Source,
) -> Result<Option<Service>, ConfigError> {
    let Some(first) = extra.first() else {
        return Ok(None);
    };
    let allow = extra
        .iter()
        .map(|r| check_rule(r, src))
        .collect::<Result<Vec<_>, _>>()?;
    let rule = &allow[0];
    let port = if rule.port == rule.scheme.default_port() {
        String::new()
    } else {
        format!(":{}", rule.port)
    };
    let start = format!(
        "{}://{}{port}{}/",
        rule.scheme.as_str(),
        rule.host,
        rule.path
    );
    let start_url = url::Url::parse(&start).map_err(|_| {
        src.err(
            first,
            format!(
                "the rule \"{}\" does not name a reachable address",
                first.get_ref()
            ),
            "write the first local rule as a host name, e.g. \"www.commune.be\"",
        )
    })?;
    Ok(Some(Service {
        id: LOCAL_ID.to_owned(),
        pack: LOCAL_ID.to_owned(),
        names: Localized::same("Local"),
        category: crate::policy::Category::Other,
        start_url: StartUrls::same(start_url),
        allow,
        resources: Vec::new(),
        logout_url: None,
        permissions: Vec::new(),
    }))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Finds and checks each pack named in `[policy] packs`, in order; `allow_http` is the
/// config's `[policy] allow_http` (checked host keys).
pub(super) fn load_packs(
    ids: &[Spanned<String>],
    dirs: &[PathBuf],
    allow_http: &[String],
    src: &Source,
) -> Result<Vec<Pack>, ConfigError> {
    let available = available_packs(dirs);
    let mut packs: Vec<Pack> = Vec::new();
    let mut service_owner: HashMap<String, String> = HashMap::new();
    for id in ids {
        let name = id.get_ref();
        if packs.iter().any(|p| &p.id == name) {
            return Err(src.err(
                id,
                format!("pack \"{name}\" is listed twice"),
                "list each pack once",
            ));
        }
        let Some(file) = available.get(name.as_str()) else {
            let mut known: Vec<&str> = available.keys().map(String::as_str).collect();
            known.sort_unstable();
            let searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            return Err(src.err(
                id,
                format!("unknown pack \"{name}\""),
                if known.is_empty() {
                    format!("no pack found in {}", searched.join(", "))
                } else {
                    format!("available packs: {}", known.join(", "))
                },
            ));
        };
        let pack = load_pack(file, allow_http, &mut service_owner)?;
        packs.push(pack);
    }
    Ok(packs)
}

/// Pack id → file, over all folders; a later folder overrides an earlier one.
fn available_packs(dirs: &[PathBuf]) -> HashMap<String, PathBuf> {
    let mut found = HashMap::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml") {
                if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                    found.insert(stem.to_owned(), path);
                }
            }
        }
    }
    found
}

/// Checks every pack file (`*.toml`) of `dir` on its own, enabled or not: a folder of pack
/// overrides before it is put in place. Service ids must be unique within a pack; across
/// packs they are checked for the packs a config enables, by [`load_packs`].
pub(super) fn check_pack_folder(dir: &Path, allow_http: &[String]) -> Result<(), ConfigError> {
    let read_err = |source| ConfigError::Read {
        path: dir.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    files.sort();
    for file in files {
        load_pack(&file, allow_http, &mut HashMap::new())?;
    }
    Ok(())
}

/// The ids of the packs in `dir` (its `*.toml` file names), sorted.
pub(super) fn pack_ids(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = available_packs(&[dir.to_owned()]).into_keys().collect();
    ids.sort_unstable();
    ids
}

fn load_pack(
    path: &Path,
    allow_http: &[String],
    service_owner: &mut HashMap<String, String>,
) -> Result<Pack, ConfigError> {
    let text = read(path)?;
    let src = Source { path, text: &text };
    let raw: RawPack = src.parse()?;
    let id = raw.id.get_ref().clone();
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if !valid_id(&id) || id != stem {
        return Err(src.err(&raw.id, format!("pack id \"{id}\" must be lower-case letters, digits, - or _ and match the file name \"{stem}.toml\""), "rename the file or the id so they agree"));
    }
    if id == LOCAL_ID {
        return Err(src.err(
            &raw.id,
            format!("pack id \"{LOCAL_ID}\" is reserved for [policy] extra"),
            "rename the pack (file and id)",
        ));
    }
    let mut services = Vec::new();
    for s in raw.services {
        let sid = s.id.get_ref().clone();
        if !valid_id(&sid) {
            return Err(src.err(
                &s.id,
                format!("service id \"{sid}\" must be lower-case letters, digits, - or _"),
                "e.g. id = \"myminfin\"",
            ));
        }
        if sid == LOCAL_ID {
            return Err(src.err(
                &s.id,
                format!("service id \"{LOCAL_ID}\" is reserved for [policy] extra"),
                "choose another id, e.g. the service's name",
            ));
        }
        if let Some(owner) = service_owner.insert(sid.clone(), id.clone()) {
            return Err(src.err(
                &s.id,
                format!("duplicate service id \"{sid}\" (already in pack \"{owner}\")"),
                "service ids must be unique across all chosen packs",
            ));
        }
        let allow = s
            .allow
            .iter()
            .map(|r| check_rule(r, &src))
            .collect::<Result<Vec<_>, _>>()?;
        if allow.is_empty() {
            return Err(src.err(
                &s.id,
                format!("service \"{sid}\" has no allow rule"),
                "add at least the host of its start_url to allow",
            ));
        }
        let resources = s
            .resources
            .iter()
            .map(|r| check_rule(r, &src))
            .collect::<Result<Vec<_>, _>>()?;
        for (lang, name) in [
            ("fr", &s.names.fr),
            ("nl", &s.names.nl),
            ("de", &s.names.de),
            ("en", &s.names.en),
        ] {
            if name.trim().is_empty() {
                return Err(src.err(
                    &s.id,
                    format!("service \"{sid}\" has an empty {lang} name"),
                    "give its name in every language: names = { fr = \"…\", nl = \"…\", de = \"…\", en = \"…\" }",
                ));
            }
        }
        let parse_url =
            |text: &str, at: &Spanned<RawStartUrl>, key: &str| url_at(&src, text, at, key);
        let start_url = match s.start_url.get_ref() {
            RawStartUrl::One(u) => StartUrls::same(parse_url(u, &s.start_url, "start_url")?),
            RawStartUrl::PerLang(l) => StartUrls {
                fr: parse_url(&l.fr, &s.start_url, "start_url.fr")?,
                nl: parse_url(&l.nl, &s.start_url, "start_url.nl")?,
                de: parse_url(&l.de, &s.start_url, "start_url.de")?,
                en: parse_url(&l.en, &s.start_url, "start_url.en")?,
            },
        };
        let logout_url = s
            .logout_url
            .as_ref()
            .map(|u| url_at(&src, u.get_ref(), u, "logout_url"))
            .transpose()?;
        let service = Service {
            id: sid,
            pack: id.clone(),
            names: s.names,
            category: s.category,
            start_url,
            allow,
            resources,
            logout_url,
            permissions: s.permissions,
        };
        // A service must be reachable through its own rules: over https, or over plain http
        // only where the site allows it.
        let own = Policy::new(vec![service.clone()], allow_http);
        let per_lang = matches!(s.start_url.get_ref(), RawStartUrl::PerLang(_));
        for (lang, url) in service.start_url.all() {
            if !matches!(own.decide_url(url), Decision::Allow(_)) {
                let key = if per_lang {
                    format!("start_url.{}", lang.code())
                } else {
                    "start_url".to_owned()
                };
                return Err(src.err(
                    &s.start_url,
                    format!("{key} is not covered by the service's own allow rules"),
                    HTTP_HINT,
                ));
            }
        }
        if let (Some(url), Some(at)) = (&service.logout_url, &s.logout_url) {
            if !matches!(own.decide_url(url), Decision::Allow(_)) {
                return Err(src.err(
                    at,
                    "logout_url is not covered by the service's own allow rules",
                    HTTP_HINT,
                ));
            }
        }
        services.push(service);
    }
    let mut requires = Vec::new();
    for r in &raw.requires {
        if !valid_id(r.get_ref()) || r.get_ref() == &id {
            return Err(src.err(
                r,
                format!("requires \"{}\" is not another pack's id", r.get_ref()),
                "name a pack by its file name without .toml, e.g. requires = [\"be-login\"]",
            ));
        }
        requires.push(r.get_ref().clone());
    }
    Ok(Pack {
        id,
        title: raw.title,
        requires,
        services,
    })
}

/// `[policy.logout]`: a site's own logout URL for a service, in place of its pack's. The
/// service must be enabled and the URL covered by its own allow rules (plain http only for a
/// host in `allow_http`), as a pack's `logout_url` must be.
pub(super) fn override_logouts(
    services: &mut [Service],
    logouts: &BTreeMap<String, Spanned<String>>,
    allow_http: &[String],
    src: &Source,
) -> Result<(), ConfigError> {
    for (id, at) in logouts {
        let Some(service) = services.iter_mut().find(|s| &s.id == id) else {
            let mut known: Vec<&str> = services.iter().map(|s| s.id.as_str()).collect();
            known.sort_unstable();
            return Err(src.err(
                at,
                format!("[policy.logout] names \"{id}\", which no enabled pack defines"),
                format!(
                    "use the id of a service of the enabled packs (`guichetctl policy list`): {}",
                    known.join(", ")
                ),
            ));
        };
        let url = url_at(src, at.get_ref(), at, &format!("logout URL of \"{id}\""))?;
        let own = Policy::new(vec![service.clone()], allow_http);
        if !matches!(own.decide_url(&url), Decision::Allow(_)) {
            return Err(src.err(
                at,
                format!("the logout URL of \"{id}\" is not covered by that service's allow rules"),
                "give a URL on one of the service's hosts (`guichetctl policy list` shows its rules)",
            ));
        }
        service.logout_url = Some(url);
    }
    Ok(())
}

/// What to do when a start or logout URL is outside its service's rules.
const HTTP_HINT: &str = "add its host to allow, or fix the URL (plain http needs an http:// rule and the host in [policy] allow_http)";

fn url_at<T>(
    src: &Source,
    text: &str,
    at: &Spanned<T>,
    key: &str,
) -> Result<url::Url, ConfigError> {
    url::Url::parse(text).map_err(|e| {
        src.err(
            at,
            format!("{key} is not a valid URL: {e}"),
            "write a full https URL",
        )
    })
}

fn check_rule(r: &Spanned<String>, src: &Source) -> Result<Rule, ConfigError> {
    Rule::parse(r.get_ref())
        .map_err(|e| src.err(r, format!("bad rule \"{}\": {e}", r.get_ref()), e.hint()))
}
