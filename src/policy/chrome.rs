//! Importing a Chromium/Edge `URLAllowlist` / `URLBlocklist` into a guichet pack.
//!
//! The enterprise filter format is `[scheme://][.]host[:port][/path][?query]`. It maps onto
//! guichet rules ([`super::Rule`]) like this, and only like this:
//!
//! | Chrome entry           | guichet rule          | why                                         |
//! |------------------------|-----------------------|---------------------------------------------|
//! | `example.be`           | `https://*.example.be`| no dot: the host and all its subdomains     |
//! | `.www.example.be`      | `https://www.example.be` | leading dot: exactly that host           |
//! | `http://x.be`, `https://x.be` | same scheme    | guichet still wants the host in `allow_http` for plain http |
//! | `x.be:8443`            | `https://*.x.be:8443` |                                             |
//! | `x.be/fr`              | `https://*.x.be/fr`   | path prefix                                 |
//! | `10.0.0.1`             | `https://10.0.0.1`    | an IP address has no subdomains             |
//!
//! Where the two differ, guichet is narrower, never wider: an entry without a scheme becomes
//! `https` only (Chrome: any scheme); without a port, the scheme's default port only (Chrome:
//! any port); a path prefix matches on segment boundaries (`/fr` is not `/french`).
//!
//! What cannot be expressed exactly is reported, never widened: `*` (every site), other schemes
//! (`file://`, `ftp://`, `chrome://`, custom ones), queries, wildcards inside a host
//! (`*.example.*`, `10.0.0.*`), IP ranges (`10.0.0.0/8`), a domain-wide entry over a public
//! suffix (`be`), and blocklist entries that punch a hole into an allowed entry — guichet has
//! no deny rules, so that allowed entry is left out too. A blocklist entry that punches no
//! hole (the usual `*`, or a site nothing allows) is already what guichet does. Precedence
//! between an allow and a block entry follows Chromium's: an exact host (leading dot) before
//! a domain, then the longer host, then the longer path, then the allow entry.
//!
//! Output: one service per registrable domain (`www.x.be` and `login.x.be` make one service
//! `<pack>-x-be`), category `other`, named after its first host, starting on its first
//! https rule; the admin edits names and category before use.

use std::collections::BTreeMap;

use super::rule::{Rule, Scheme};

/// Which list an entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Allow,
    Block,
}

impl List {
    fn name(self) -> &'static str {
        match self {
            List::Allow => "URLAllowlist",
            List::Block => "URLBlocklist",
        }
    }
}

/// The lists read from a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lists {
    pub allow: Vec<String>,
    /// `None` for a bare JSON array, read as an allowlist used with `URLBlocklist = ["*"]`.
    pub block: Option<Vec<String>>,
}

/// A file that is neither a JSON array of strings nor a policy object with the lists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("not JSON: {0}")]
    Json(String),
    #[error(
        "expected a JSON array of strings or an object with \"URLAllowlist\" / \"URLBlocklist\""
    )]
    Shape,
    #[error("{0} must be an array of strings")]
    NotStrings(&'static str),
}

/// Reads a bare list or a policy file (other policies in it are ignored).
pub fn parse_lists(text: &str) -> Result<Lists, ImportError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ImportError::Json(e.to_string()))?;
    let strings = |v: &serde_json::Value, name: &'static str| -> Result<Vec<String>, ImportError> {
        v.as_array()
            .ok_or(ImportError::NotStrings(name))?
            .iter()
            .map(|s| s.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or(ImportError::NotStrings(name))
    };
    match &value {
        serde_json::Value::Array(_) => Ok(Lists {
            allow: strings(&value, "the list")?,
            block: None,
        }),
        serde_json::Value::Object(map) => {
            // The names before Chrome 86 still work in Chrome; accept them too.
            let get = |names: [&'static str; 2]| {
                names
                    .iter()
                    .find_map(|n| map.get(*n).map(|v| strings(v, n)))
                    .transpose()
            };
            let allow = get(["URLAllowlist", "URLWhitelist"])?;
            let block = get(["URLBlocklist", "URLBlacklist"])?;
            if allow.is_none() && block.is_none() {
                return Err(ImportError::Shape);
            }
            Ok(Lists {
                allow: allow.unwrap_or_default(),
                block,
            })
        }
        _ => Err(ImportError::Shape),
    }
}

/// One entry that could not be converted exactly, with the reason shown to the admin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unconverted {
    pub list: List,
    pub entry: String,
    pub reason: String,
}

impl std::fmt::Display for Unconverted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} \"{}\": {}",
            self.list.name(),
            self.entry,
            self.reason
        )
    }
}

/// The result: the exact rules, each with the entry it came from, and what was reported.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Import {
    pub rules: Vec<(String, Rule)>,
    pub unconverted: Vec<Unconverted>,
}

/// A parsed Chrome filter.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Filter {
    scheme: Option<String>,
    /// Leading dot: exactly this host.
    exact: bool,
    /// Lower-case host, `*` for every host.
    host: String,
    port: Option<u16>,
    path: String,
    query: bool,
}

/// Splits an entry; `Err` is the reason it cannot be read.
fn parse_filter(entry: &str) -> Result<Filter, String> {
    let text = entry.trim();
    let (scheme, rest) = match text.split_once("://") {
        Some((s, rest)) => (Some(s.to_ascii_lowercase()), rest),
        None => (None, text),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, _)) => (r, true),
        None => (rest, false),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (exact, authority) = match authority.strip_prefix('.') {
        Some(a) => (true, a),
        None => (false, authority),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !p.contains(']') => {
            let port = p.parse::<u16>().ok().filter(|p| *p != 0);
            (h, Some(port.ok_or_else(|| format!("bad port `{p}`"))?))
        }
        _ => (authority, None),
    };
    if host.is_empty() && scheme.as_deref() != Some("file") {
        return Err("no host".to_owned());
    }
    Ok(Filter {
        scheme,
        exact,
        host: host.to_ascii_lowercase(),
        port,
        path: path.to_owned(),
        query,
    })
}

/// The guichet rule an allow filter is exactly (or more narrowly), or why there is none.
fn to_rule(f: &Filter) -> Result<Rule, String> {
    let scheme = match f.scheme.as_deref() {
        None | Some("https") => Scheme::Https,
        Some("http") => Scheme::Http,
        Some(other) => {
            return Err(format!(
                "scheme `{other}`: guichet opens only http and https pages"
            ))
        }
    };
    if f.host == "*" {
        return Err("`*` allows every site; guichet allows only listed services".to_owned());
    }
    if f.query {
        return Err(
            "a query cannot be matched by a guichet rule (it would allow the whole path)"
                .to_owned(),
        );
    }
    let ip = f.host.parse::<std::net::Ipv4Addr>().is_ok() || f.host.starts_with('[');
    if f.host.contains('*') {
        return Err(
            if f.host
                .split('.')
                .all(|l| l == "*" || l.parse::<u8>().is_ok())
            {
                "an IP range: guichet rules name single addresses".to_owned()
            } else {
                "a wildcard inside a host: write `example.be` for a domain and its subdomains"
                    .to_owned()
            },
        );
    }
    if ip && is_prefix_length(&f.path) {
        return Err("an IP range: guichet rules name single addresses".to_owned());
    }
    let wildcard = if f.exact || ip { "" } else { "*." };
    let port = f.port.map(|p| format!(":{p}")).unwrap_or_default();
    let text = format!("{}://{wildcard}{}{port}{}", scheme.as_str(), f.host, f.path);
    Rule::parse(&text).map_err(|e| e.to_string())
}

/// `/8`, `/24`, `/64`: a CIDR prefix length after an address.
fn is_prefix_length(path: &str) -> bool {
    path.strip_prefix('/')
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| n <= 128)
}

/// Whether block filter `b` takes a part of what allow filter `a` (converted to `rule`) allows.
fn punches_hole(a: &Filter, rule: &Rule, b: &Filter) -> bool {
    let scheme_ok = b
        .scheme
        .as_deref()
        .is_none_or(|s| s == rule.scheme.as_str());
    let port_ok = b.port.is_none_or(|p| p == rule.port);
    if b.host == "*" || !scheme_ok || !port_ok {
        // `*` (with any path) is the least specific filter: every allow entry wins over it.
        return false;
    }
    let b_host = Rule::parse(&b.host)
        .map(|r| r.host)
        .unwrap_or(b.host.clone());
    let a_sub = rule.subdomains;
    let under = |h: &str, d: &str| {
        h.len() > d.len() && h.ends_with(d) && h.as_bytes()[h.len() - d.len() - 1] == b'.'
    };
    let hosts_meet = b_host == rule.host
        || (a_sub && under(&b_host, &rule.host))
        || (!b.exact && under(&rule.host, &b_host));
    let paths_meet = b.path.starts_with(&a.path) || a.path.starts_with(&b.path);
    if !hosts_meet || !paths_meet {
        return false;
    }
    // Chromium's precedence: exact host, longer host, longer path, more conditions, allow.
    if b.exact != a.exact {
        return b.exact;
    }
    if b_host.len() != rule.host.len() {
        return b_host.len() > rule.host.len();
    }
    if b.path.len() != a.path.len() {
        return b.path.len() > a.path.len();
    }
    b.query && !a.query
}

/// Converts the lists: exact rules, and every entry that could not be kept exactly.
pub fn convert(lists: &Lists) -> Import {
    let mut import = Import::default();
    let mut allowed: Vec<(String, Filter, Rule)> = Vec::new();
    for entry in &lists.allow {
        match parse_filter(entry).and_then(|f| to_rule(&f).map(|r| (f, r))) {
            Ok((f, r)) => allowed.push((entry.clone(), f, r)),
            Err(reason) => import.unconverted.push(Unconverted {
                list: List::Allow,
                entry: entry.clone(),
                reason,
            }),
        }
    }
    let Some(block) = &lists.block else {
        import.rules = allowed.into_iter().map(|(e, _, r)| (e, r)).collect();
        return import;
    };
    let mut holed = vec![false; allowed.len()];
    let mut blocks_all = false;
    for entry in block {
        let b = match parse_filter(entry) {
            Ok(b) => b,
            Err(reason) => {
                import.unconverted.push(Unconverted {
                    list: List::Block,
                    entry: entry.clone(),
                    reason,
                });
                continue;
            }
        };
        if b.host == "*" && b.scheme.is_none() && b.port.is_none() && b.path.is_empty() && !b.query
        {
            blocks_all = true;
            continue;
        }
        let hit: Vec<usize> = (0..allowed.len())
            .filter(|&i| punches_hole(&allowed[i].1, &allowed[i].2, &b))
            .collect();
        if !hit.is_empty() {
            let names: Vec<&str> = hit.iter().map(|&i| allowed[i].0.as_str()).collect();
            import.unconverted.push(Unconverted {
                list: List::Block,
                entry: entry.clone(),
                reason: format!(
                    "blocks a part of the allowed \"{}\": guichet has no deny rules",
                    names.join("\", \"")
                ),
            });
            hit.iter().for_each(|&i| holed[i] = true);
        }
    }
    for (i, (entry, _, rule)) in allowed.into_iter().enumerate() {
        if holed[i] {
            import.unconverted.push(Unconverted {
                list: List::Allow,
                entry,
                reason: "left out: a URLBlocklist entry blocks a part of it".to_owned(),
            });
        } else {
            import.rules.push((entry, rule));
        }
    }
    if !blocks_all {
        import.unconverted.push(Unconverted {
            list: List::Block,
            entry: "*".to_owned(),
            reason: "missing: without it Chrome allows every site the blocklist does not name; \
                     guichet allows only the allowlist"
                .to_owned(),
        });
    }
    import
}

/// Writes the pack: one service per registrable domain, rules in the order of the list.
pub fn to_pack_toml(id: &str, source: &str, import: &Import) -> String {
    let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let mut groups: BTreeMap<String, Vec<&(String, Rule)>> = BTreeMap::new();
    for item in &import.rules {
        let host = &item.1.host;
        let domain = if item.1.is_ip {
            host.as_str()
        } else {
            psl::domain_str(host).unwrap_or(host)
        };
        groups.entry(domain.to_owned()).or_default().push(item);
    }
    let mut out = format!(
        "# Imported by `guichetctl policy import-chrome` from {}.\n\
         # One service per registrable domain, category \"other\": give each service its names\n\
         # in FR/NL/DE/EN and its category before use.\n",
        quote(source)
    );
    for u in &import.unconverted {
        out.push_str(&format!("# not converted: {u}\n"));
    }
    out.push_str(&format!(
        "\nid = {}\ntitle = {{ fr = \"Importé de Chrome\", nl = \"Geïmporteerd uit Chrome\", de = \"Aus Chrome importiert\", en = \"Imported from Chrome\" }}\n",
        quote(id)
    ));
    for (domain, rules) in &groups {
        let slug: String = domain
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let first = rules
            .iter()
            .find(|r| r.1.scheme == Scheme::Https)
            .unwrap_or(&rules[0]);
        let port = if first.1.port == first.1.scheme.default_port() {
            String::new()
        } else {
            format!(":{}", first.1.port)
        };
        let start = format!(
            "{}://{}{port}{}/",
            first.1.scheme.as_str(),
            first.1.host,
            first.1.path
        );
        let name = quote(&first.1.host);
        out.push_str(&format!(
            "\n[[service]]\nid = {}\nnames = {{ fr = {name}, nl = {name}, de = {name}, en = {name} }}\ncategory = \"other\"\nstart_url = {}\nallow = [\n",
            quote(&format!("{id}-{}", slug.trim_matches('-'))),
            quote(&start)
        ));
        for (entry, rule) in rules {
            out.push_str(&format!(
                "  {},  # {}\n",
                quote(&rule.to_string()),
                quote(entry)
            ));
        }
        out.push_str("]\n");
    }
    out
}

#[cfg(test)]
mod tests;
