//! One allow rule: `[scheme://]host[:port][/path-prefix]`.
//!
//! - the scheme defaults to `https`; only `http` and `https` are accepted;
//! - a host starting with `*.` matches the domain itself and every subdomain;
//! - no port means the scheme's default port only;
//! - a path prefix matches on segment boundaries: `/fr` matches `/fr` and `/fr/x`, not `/french`;
//!   below a prefix, a path with an encoded `/` or `\` (`%2f`, `%5c`) does not match.
//!
//! Hosts and path prefixes are normalised exactly as URLs are (WHATWG parsing through the `url`
//! crate: IDNA to punycode, lower case, IPv4 in canonical form, paths percent-encoded), so a
//! rule and a URL meet on the same text. What the parser would silently rewrite (a `\`, a tab,
//! an empty label) is refused in a rule rather than guessed at.

use std::fmt;

use crate::loggable::host_key;

/// A parsed allow rule. It travels (in a config snapshot) as its text, and is parsed again
/// on the way in: a rule that does not parse does not load.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Rule {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// Canonical host text (see [`crate::loggable::LoggableHost`]).
    pub host: String,
    /// `true` for `*.host`: the domain and all its subdomains.
    pub subdomains: bool,
    /// The port the rule allows.
    pub port: u16,
    /// Path prefix without trailing slash (`""` = any path).
    pub path: String,
    /// Whether the host is an IP literal.
    pub is_ip: bool,
}

/// The schemes a rule may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// Why a rule could not be parsed; the text is shown to the site admin with a hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("empty rule")]
    Empty,
    #[error("scheme `{0}` is not allowed in a rule (only http or https)")]
    Scheme(String),
    #[error("the rule has user info (`@`)")]
    Userinfo,
    #[error("`{0}` is not a valid host")]
    Host(String),
    #[error("`*.` must be followed by a domain name, not an IP address")]
    WildcardIp,
    #[error("`*` may only appear as a leading `*.`")]
    Wildcard,
    #[error("`*.{0}` would allow a whole public suffix (every site registered under it)")]
    WildcardTld(String),
    #[error("bad port in rule")]
    Port,
    #[error("a rule cannot have a query or fragment")]
    QueryOrFragment,
    #[error("a path prefix cannot contain `.` or `..` segments")]
    DotSegment,
    #[error("a rule cannot contain spaces, control characters or `\\`")]
    Character,
}

impl RuleError {
    /// A one-line hint for the admin.
    pub fn hint(&self) -> &'static str {
        "write rules as [scheme://]host[:port][/path-prefix], e.g. \"*.myminfin.be\" or \"https://www.belgium.be/fr\""
    }
}

impl Rule {
    /// Parses a rule as written in a pack or in `[policy] extra`.
    pub fn parse(text: &str) -> Result<Rule, RuleError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(RuleError::Empty);
        }
        // The URL parser would silently drop tabs and newlines and read `\` as `/`, turning
        // `www.x.be\fr` into a rule for the whole host: refuse what a URL would rewrite.
        if text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        {
            return Err(RuleError::Character);
        }
        let (scheme, rest) = match text.split_once("://") {
            Some((s, rest)) => match s.to_ascii_lowercase().as_str() {
                "https" => (Scheme::Https, rest),
                "http" => (Scheme::Http, rest),
                other => return Err(RuleError::Scheme(other.to_owned())),
            },
            None => (Scheme::Https, text),
        };
        if rest.contains(['?', '#']) {
            return Err(RuleError::QueryOrFragment);
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(RuleError::Userinfo);
        }
        let (subdomains, authority) = match authority.strip_prefix("*.") {
            Some(a) => (true, a),
            None => (false, authority),
        };
        if authority.contains('*') {
            return Err(RuleError::Wildcard);
        }
        // Let the WHATWG parser split host and port and normalise both, as it does for URLs.
        let probe = format!("{}://{}/", scheme.as_str(), authority);
        let parsed = url::Url::parse(&probe).map_err(|_| {
            if authority
                .rsplit_once(':')
                .is_some_and(|(_, p)| p.parse::<u16>().is_err())
            {
                RuleError::Port
            } else {
                RuleError::Host(authority.to_owned())
            }
        })?;
        let host = parsed
            .host()
            .ok_or_else(|| RuleError::Host(authority.to_owned()))?;
        let is_ip = !matches!(host, url::Host::Domain(_));
        if subdomains && is_ip {
            return Err(RuleError::WildcardIp);
        }
        let host = host_key(&host).into_owned();
        // `a..b`, `x.be..`: an empty label is a typo, and such a host names no real site.
        if host.is_empty() || (!is_ip && host.split('.').any(str::is_empty)) {
            return Err(RuleError::Host(authority.to_owned()));
        }
        // `*.be`, `*.brussels`, `*.vlaanderen.be` would open every site registered under them:
        // a wildcard must sit below a public suffix (the Public Suffix List, compiled in).
        if subdomains && is_public_suffix(&host) {
            return Err(RuleError::WildcardTld(host));
        }
        let port = parsed.port().unwrap_or(scheme.default_port());
        let path = normalise_prefix(scheme, &host, path)?;
        Ok(Rule {
            scheme,
            host,
            subdomains,
            port,
            path,
            is_ip,
        })
    }

    /// Whether this rule covers a URL with this scheme, canonical host, port and path
    /// (`None`: any path, for a decision on an origin).
    pub(crate) fn matches(
        &self,
        scheme: Scheme,
        host: &str,
        port: u16,
        path: Option<&str>,
    ) -> bool {
        self.scheme == scheme
            && self.port == port
            && (host == self.host
                || (self.subdomains
                    && host.len() > self.host.len()
                    && host.ends_with(&self.host)
                    && host.as_bytes()[host.len() - self.host.len() - 1] == b'.'))
            && path.is_none_or(|p| path_has_prefix(p, &self.path))
    }
}

/// Whether `host` is itself a public suffix (`be`, `vlaanderen.be`, `brussels`, an unknown
/// single-label name), under which anyone may register a site.
pub fn is_public_suffix(host: &str) -> bool {
    !host.contains('.') || psl::suffix_str(host) == Some(host)
}

/// Checks a prefix path and writes it as the URL parser writes paths (`/démarches` becomes
/// `/d%C3%A9marches`), so it can be compared with the path of a parsed URL. No dot segments;
/// the trailing slash is dropped so `/fr/` and `/fr` agree.
fn normalise_prefix(scheme: Scheme, host: &str, path: &str) -> Result<String, RuleError> {
    let has_dots = path.split('/').any(|seg| {
        let seg = seg.to_ascii_lowercase().replace("%2e", ".");
        seg == "." || seg == ".."
    });
    if has_dots {
        return Err(RuleError::DotSegment);
    }
    if path.is_empty() {
        return Ok(String::new());
    }
    let parsed = url::Url::parse(&format!("{}://{host}{path}", scheme.as_str()))
        .map_err(|_| RuleError::Host(host.to_owned()))?;
    Ok(parsed.path().trim_end_matches('/').to_owned())
}

/// Path-prefix match on segment boundaries. `path` comes from a parsed URL, so dot segments and
/// `%2e` forms are already resolved by the WHATWG parser. Below a prefix, an encoded `/` or `\`
/// (`/fr/..%2fadmin`) is refused: a server that decodes it before resolving `..` would serve a
/// page outside the prefix.
fn path_has_prefix(path: &str, prefix: &str) -> bool {
    if prefix.is_empty() {
        return true;
    }
    let Some(rest) = path.strip_prefix(prefix) else {
        return false;
    };
    (rest.is_empty() || rest.starts_with('/')) && !has_encoded_separator(rest)
}

/// Whether `s` contains `%2f` or `%5c` (any case).
fn has_encoded_separator(s: &str) -> bool {
    s.as_bytes().windows(3).any(|w| {
        w[0] == b'%'
            && ((w[1] == b'2' && w[2].eq_ignore_ascii_case(&b'f'))
                || (w[1] == b'5' && w[2].eq_ignore_ascii_case(&b'c')))
    })
}

impl From<Rule> for String {
    fn from(rule: Rule) -> String {
        rule.to_string()
    }
}

impl TryFrom<String> for Rule {
    type Error = RuleError;

    fn try_from(text: String) -> Result<Rule, RuleError> {
        Rule::parse(&text)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}{}",
            self.scheme.as_str(),
            if self.subdomains { "*." } else { "" },
            self.host
        )?;
        if self.port != self.scheme.default_port() {
            write!(f, ":{}", self.port)?;
        }
        f.write_str(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        let r = Rule::parse("*.MyMinfin.be").unwrap();
        assert_eq!(
            (
                r.scheme,
                r.host.as_str(),
                r.subdomains,
                r.port,
                r.path.as_str()
            ),
            (Scheme::Https, "myminfin.be", true, 443, "")
        );
        let r = Rule::parse("http://www.allowed.test:8080/fr/").unwrap();
        assert_eq!(
            (r.scheme, r.port, r.path.as_str()),
            (Scheme::Http, 8080, "/fr")
        );
        assert_eq!(Rule::parse("bücher.be").unwrap().host, "xn--bcher-kva.be");
        assert_eq!(Rule::parse("allowed.be.").unwrap().host, "allowed.be");
        assert!(Rule::parse("10.0.0.1").unwrap().is_ip);
    }

    #[test]
    fn rejects_bad_rules() {
        for (text, err) in [
            ("", RuleError::Empty),
            ("ftp://x.be", RuleError::Scheme("ftp".into())),
            ("u@x.be", RuleError::Userinfo),
            ("*.10.0.0.1", RuleError::WildcardIp),
            ("x.*.be", RuleError::Wildcard),
            ("*.be", RuleError::WildcardTld("be".into())),
            ("*.BE.", RuleError::WildcardTld("be".into())),
            ("*.brussels", RuleError::WildcardTld("brussels".into())),
            ("*.co.uk", RuleError::WildcardTld("co.uk".into())),
            ("x.be/a?b", RuleError::QueryOrFragment),
            ("x.be/a/../b", RuleError::DotSegment),
            ("x.be/%2E%2e/b", RuleError::DotSegment),
            ("x.be:99999", RuleError::Port),
            ("www.x.be\\fr", RuleError::Character),
            ("www.x.be/\\fr", RuleError::Character),
            ("www.x\t.be", RuleError::Character),
            ("www.x .be", RuleError::Character),
        ] {
            assert_eq!(Rule::parse(text), Err(err), "{text:?}");
        }
        for text in ["a..b.be", "x.be..", "*..x.be", "."] {
            assert!(
                matches!(Rule::parse(text), Err(RuleError::Host(_))),
                "{text:?}"
            );
        }
    }

    /// What `guichetctl policy explain` prints as the rule parses back to the same rule.
    #[test]
    fn display_round_trips() {
        for text in [
            "www.x.be",
            "*.Bücher.be.",
            "http://x.be:8080/fr/",
            "https://x.be:443/d%C3%A9marches",
            "x.be/démarches",
            "0x7f.1",
            "[2001:DB8::1]:8443",
        ] {
            let rule = Rule::parse(text).unwrap();
            assert_eq!(Rule::parse(&rule.to_string()), Ok(rule), "{text:?}");
        }
    }

    #[test]
    fn path_prefix_is_written_as_url_paths_are() {
        assert_eq!(
            Rule::parse("www.x.be/démarches/").unwrap().path,
            "/d%C3%A9marches"
        );
        assert_eq!(Rule::parse("www.x.be/").unwrap().path, "");
    }

    #[test]
    fn prefix_matches_on_segments_only() {
        for (path, ok) in [
            ("/fr", true),
            ("/fr/", true),
            ("/fr/x", true),
            ("/french", false),
            ("/fr%2fx", false),
            ("/fr/..%2Fadmin", false),
            ("/fr/..%5cadmin", false),
            ("/", false),
        ] {
            assert_eq!(path_has_prefix(path, "/fr"), ok, "{path:?}");
        }
    }
}
