//! The allowlist: which URLs a person may reach, and why.
//!
//! A [`Policy`] is compiled once from the chosen packs and the local rules, then answers
//! [`Policy::decide`] for every navigation hop (top level, iframes, redirects, new windows).
//! Rules are indexed by host, so a decision costs a few hash lookups whatever the number of
//! rules. Some URLs are always blocked, whatever the rules say: user info in the URL, an IP
//! literal no rule lists, schemes other than http(s) / `guichet:` / `about:blank`, and plain
//! `http:` to a host not in `allow_http`. Plain http needs both: the host in `allow_http` and
//! an `http://` rule that covers the URL. A `blob:` URL is decided on the origin that made it
//! (scheme, host, port: path prefixes do not apply). The table tests in
//! `tests/policy_table.rs` list the cases.

pub mod chrome;
pub mod listing;
mod pack;
mod rule;

use std::collections::{HashMap, HashSet};
use std::fmt;

pub use pack::{Category, Pack, Permission, Service, StartUrls};
pub use rule::{is_public_suffix, Rule, RuleError, Scheme};

/// Id (service and pack) of the service made of `[policy] extra` rules; no pack may take it.
/// It has no real name, so the welcome screen and the blocked page do not list it.
pub const LOCAL_ID: &str = "local";

use crate::loggable::host_key;

/// The scheme of guichet's own pages (welcome, blocked, errors), served from the binary.
pub const INTERNAL_SCHEME: &str = "guichet";

/// The answer for one URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// An approved service's page.
    Allow(Allow),
    /// guichet's own pages and `about:blank`.
    Internal,
    Block(BlockReason),
}

/// Which service and rule allowed a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allow {
    pub service: String,
    pub pack: String,
    pub category: Category,
    /// The rule that matched, as text.
    pub rule: String,
    /// Matched one of the service's `resources` (a sub-resource host, not a place to go).
    pub resource: bool,
}

/// Why a URL is blocked. The text never contains the URL, so it can be logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockReason {
    /// Not a URL the WHATWG parser accepts.
    Unparsable,
    /// `file:`, `data:`, `javascript:`, `view-source:`, `ftp:`…
    Scheme,
    /// `https://allowed.be@evil.example`.
    Userinfo,
    /// An IP address no rule lists.
    IpLiteral,
    /// Plain `http:` to a host not in `[policy] allow_http`, whose https page is approved.
    InsecureHttp,
    /// No rule of the chosen packs covers it.
    NotListed,
}

impl BlockReason {
    pub fn as_str(self) -> &'static str {
        match self {
            BlockReason::Unparsable => "not a valid address",
            BlockReason::Scheme => "this kind of address is not allowed",
            BlockReason::Userinfo => "address with a user name or password",
            BlockReason::IpLiteral => "IP address not listed",
            BlockReason::InsecureHttp => "unencrypted http is not allowed for this host",
            BlockReason::NotListed => "site not in the approved services",
        }
    }

    /// Short machine code (`not_listed`…) for protocol messages and `guichet://blocked`.
    pub fn code(self) -> &'static str {
        match self {
            BlockReason::Unparsable => "unparsable",
            BlockReason::Scheme => "scheme",
            BlockReason::Userinfo => "userinfo",
            BlockReason::IpLiteral => "ip_literal",
            BlockReason::InsecureHttp => "insecure_http",
            BlockReason::NotListed => "not_listed",
        }
    }
}

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Decision {
    /// The form `guichetctl policy explain` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Allow(a) if a.resource => write!(
                f,
                "allow as a resource of {} ({}, resource rule {})",
                a.service, a.pack, a.rule
            ),
            Decision::Allow(a) => write!(f, "allow {} ({}, rule {})", a.service, a.pack, a.rule),
            Decision::Internal => f.write_str("allow guichet (internal page)"),
            Decision::Block(r) => write!(f, "block: {r}"),
        }
    }
}

/// Index of a rule: (service, rule within the service).
type RuleRef = (u32, u32);

/// One kind of rule (`allow` or `resources`) of every service, keyed by host.
#[derive(Clone, Debug, Default, PartialEq)]
struct RuleIndex {
    /// Whether these are `resources` rules.
    resource: bool,
    /// Rules keyed by their host: exact-host rules and `*.` rules share the map, so a lookup
    /// walks the URL host's suffixes (`a.b.be`, `b.be`, `be`).
    by_host: HashMap<String, Vec<RuleRef>>,
    /// Each rule as text, by service then rule: an allow names it without formatting.
    texts: Vec<Vec<String>>,
}

impl RuleIndex {
    fn new(services: &[Service], resource: bool) -> RuleIndex {
        fn rules(s: &Service, resource: bool) -> &[Rule] {
            if resource {
                &s.resources
            } else {
                &s.allow
            }
        }
        let mut by_host: HashMap<String, Vec<RuleRef>> = HashMap::new();
        for (si, s) in services.iter().enumerate() {
            for (ri, r) in rules(s, resource).iter().enumerate() {
                by_host
                    .entry(r.host.clone())
                    .or_default()
                    .push((si as u32, ri as u32));
            }
        }
        let texts = services
            .iter()
            .map(|s| rules(s, resource).iter().map(Rule::to_string).collect())
            .collect();
        RuleIndex {
            resource,
            by_host,
            texts,
        }
    }

    fn rule<'a>(&self, services: &'a [Service], (si, ri): RuleRef) -> &'a Rule {
        let s = &services[si as usize];
        if self.resource {
            &s.resources[ri as usize]
        } else {
            &s.allow[ri as usize]
        }
    }
}

/// The compiled allowlist.
///
/// Serialized as what it was compiled from (its services and `allow_http` hosts) and compiled
/// again when read: the indexes never travel.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(into = "PolicySource", from = "PolicySource")]
pub struct Policy {
    services: Vec<Service>,
    /// The `allow` rules, indexed (navigations).
    allow: RuleIndex,
    /// The `resources` rules, indexed (sub-resources only).
    resources: RuleIndex,
    allow_http: HashSet<String>,
    rule_count: usize,
}

/// What a [`Policy`] is compiled from, as it is serialized.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicySource {
    services: Vec<Service>,
    allow_http: Vec<String>,
}

impl From<Policy> for PolicySource {
    fn from(policy: Policy) -> PolicySource {
        let mut allow_http: Vec<String> = policy.allow_http.into_iter().collect();
        allow_http.sort_unstable();
        PolicySource {
            services: policy.services,
            allow_http,
        }
    }
}

impl From<PolicySource> for Policy {
    fn from(source: PolicySource) -> Policy {
        Policy::new(source.services, &source.allow_http)
    }
}

impl Policy {
    /// Compiles services (in priority order) and the hosts allowed over plain http.
    pub fn new(services: Vec<Service>, allow_http: &[String]) -> Policy {
        let rule_count = services.iter().map(|s| s.allow.len()).sum();
        // Normalised as URL hosts are, so `Bücher.be.` meets `https://xn--bcher-kva.be/`;
        // a name that is not a host can match no URL and is dropped.
        let allow_http = allow_http
            .iter()
            .filter_map(|h| url::Host::parse(h.trim()).ok())
            .map(|h| host_key(&h).into_owned())
            .collect();
        Policy {
            allow: RuleIndex::new(&services, false),
            resources: RuleIndex::new(&services, true),
            services,
            allow_http,
            rule_count,
        }
    }

    pub fn services(&self) -> &[Service] {
        &self.services
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    pub fn rule_count(&self) -> usize {
        self.rule_count
    }

    /// Decides a URL given as text (as WebKit hands it over).
    pub fn decide(&self, url: &str) -> Decision {
        match url::Url::parse(url) {
            Ok(u) => self.decide_url(&u),
            Err(_) => Decision::Block(BlockReason::Unparsable),
        }
    }

    /// Decides a parsed URL.
    pub fn decide_url(&self, url: &url::Url) -> Decision {
        let scheme = match url.scheme() {
            "https" => Scheme::Https,
            "http" => Scheme::Http,
            INTERNAL_SCHEME => return Decision::Internal,
            "about" if url.path() == "blank" && url.query().is_none() => return Decision::Internal,
            // A blob belongs to the page that made it: decide on that page's origin.
            "blob" => return self.decide_blob(url),
            _ => return Decision::Block(BlockReason::Scheme),
        };
        self.decide_web(scheme, url, Some(url.path()), false)
    }

    /// Decides an http(s) URL; `path: None` decides on the origin alone (any path).
    fn decide_web(
        &self,
        scheme: Scheme,
        url: &url::Url,
        path: Option<&str>,
        resources: bool,
    ) -> Decision {
        if !url.username().is_empty() || url.password().is_some() {
            return Decision::Block(BlockReason::Userinfo);
        }
        let Some(host) = url.host() else {
            return Decision::Block(BlockReason::Unparsable);
        };
        let is_ip = !matches!(host, url::Host::Domain(_));
        let host = host_key(&host);
        let port = url.port().unwrap_or(scheme.default_port());
        let unlisted = if is_ip {
            BlockReason::IpLiteral
        } else {
            BlockReason::NotListed
        };
        if scheme == Scheme::Http && !self.allow_http.contains(host.as_ref()) {
            // Say "unencrypted" only when the https page is approved; otherwise the site is
            // simply not listed, and the blocked page should say so.
            let https_port = url.port().unwrap_or(Scheme::Https.default_port());
            let https_ok = self
                .find(&self.allow, Scheme::Https, &host, https_port, path)
                .is_some();
            return Decision::Block(if https_ok {
                BlockReason::InsecureHttp
            } else {
                unlisted
            });
        }
        let found = self
            .find(&self.allow, scheme, &host, port, path)
            .or_else(|| {
                resources
                    .then(|| self.find(&self.resources, scheme, &host, port, path))
                    .flatten()
            });
        match found {
            Some(allow) => Decision::Allow(allow),
            None => Decision::Block(unlisted),
        }
    }

    /// Decides a sub-resource URL (image, script, fetch, web socket) as the content filter of
    /// `subresources = "policy"` does: allowed by any `allow` rule, or by a service's
    /// `resources`. `ws:`/`wss:` are decided as `http:`/`https:`; other schemes as navigations.
    pub fn decide_subresource(&self, url: &str) -> Decision {
        let Ok(mut u) = url::Url::parse(url) else {
            return Decision::Block(BlockReason::Unparsable);
        };
        let scheme = match u.scheme() {
            "https" | "wss" => Scheme::Https,
            "http" | "ws" => Scheme::Http,
            _ => return self.decide_url(&u),
        };
        if u.set_scheme(scheme.as_str()).is_err() {
            // `ws` → `http` keeps a special scheme special: this cannot fail; refuse if it does.
            return Decision::Block(BlockReason::Unparsable);
        }
        let path = u.path().to_owned();
        self.decide_web(scheme, &u, Some(&path), true)
    }

    /// `blob:https://www.x.be/<uuid>`: the part after `blob:` is the origin of the page that
    /// made the blob (scheme, host, port), not a page, so a path prefix does not apply.
    fn decide_blob(&self, url: &url::Url) -> Decision {
        let Ok(inner) = url::Url::parse(url.path()) else {
            return Decision::Block(BlockReason::Scheme);
        };
        match inner.scheme() {
            "https" => self.decide_web(Scheme::Https, &inner, None, false),
            "http" => self.decide_web(Scheme::Http, &inner, None, false),
            _ => Decision::Block(BlockReason::Scheme),
        }
    }

    /// The rule that covers the URL: exact host first, then the closest `*.` parent domain;
    /// among the rules of one host, the longest path prefix (so a service defined by
    /// `www.x.be/app` is the one named for its pages even when another lists all of
    /// `www.x.be`), then the first in priority order.
    fn find(
        &self,
        index: &RuleIndex,
        scheme: Scheme,
        host: &str,
        port: u16,
        path: Option<&str>,
    ) -> Option<Allow> {
        let mut key = host;
        loop {
            if let Some(refs) = index.by_host.get(key) {
                let mut best: Option<(usize, RuleRef)> = None;
                for &(si, ri) in refs {
                    let rule = index.rule(&self.services, (si, ri));
                    if rule.matches(scheme, host, port, path)
                        && best.is_none_or(|(len, _)| rule.path.len() > len)
                    {
                        best = Some((rule.path.len(), (si, ri)));
                    }
                }
                if let Some((_, (si, ri))) = best {
                    let service = &self.services[si as usize];
                    return Some(Allow {
                        service: service.id.clone(),
                        pack: service.pack.clone(),
                        category: service.category,
                        rule: index.texts[si as usize][ri as usize].clone(),
                        resource: index.resource,
                    });
                }
            }
            // IP literals have no parent domain.
            if key.starts_with('[') || key.parse::<std::net::Ipv4Addr>().is_ok() {
                return None;
            }
            key = key.split_once('.')?.1;
        }
    }
}
