//! The sub-resource filter: the policy compiled into WebKit content-blocker rules.
//!
//! With `subresources = "policy"` (the default), images, scripts, styles, fetches and web
//! sockets load only from hosts a service lists, in its `allow` rules or its `resources`. WebKit's content blockers apply rules in order and a later
//! `ignore-previous-rules` undoes an earlier `block`, so the list is: block every
//! http(s)/ws(s) URL, then one "ignore" per allow rule. Navigations are still decided by
//! `decide-policy`; this only adds sub-resources. The JSON is handed to WebKit by
//! [`super::ffi::install_content_filter`].

use serde_json::{json, Value};

use crate::policy::{Decision, Policy, Rule, Scheme};

/// The identifier the filter is saved under.
pub(crate) const FILTER_ID: &str = "guichet-policy";

/// The content-blocker JSON for `policy`.
pub(crate) fn compile(policy: &Policy) -> String {
    let mut rules: Vec<Value> = vec![
        json!({"trigger": {"url-filter": "^https?://"}, "action": {"type": "block"}}),
        json!({"trigger": {"url-filter": "^wss?://"}, "action": {"type": "block"}}),
    ];
    for service in policy.services() {
        for rule in service.allow.iter().chain(&service.resources) {
            if rule.scheme == Scheme::Http && !http_allowed(policy, rule) {
                continue;
            }
            for filter in url_filters(rule) {
                rules.push(json!({
                    "trigger": {"url-filter": filter},
                    "action": {"type": "ignore-previous-rules"}
                }));
            }
        }
    }
    Value::Array(rules).to_string()
}

/// Plain-http rules only count for hosts in `allow_http`; ask the policy itself.
fn http_allowed(policy: &Policy, rule: &Rule) -> bool {
    let url = format!("http://{}:{}{}/", rule.host, rule.port, rule.path);
    matches!(policy.decide_subresource(&url), Decision::Allow(_))
}

/// The URL regexes one rule allows (WebKit's restricted syntax: no `|`).
fn url_filters(rule: &Rule) -> Vec<String> {
    let host = regex_escape(&rule.host);
    let sub = if rule.subdomains { "([^/@]*\\.)?" } else { "" };
    let port = if rule.port == rule.scheme.default_port() {
        String::new()
    } else {
        format!(":{}", rule.port)
    };
    let (web, socket) = match rule.scheme {
        Scheme::Https => ("https", "wss"),
        Scheme::Http => ("http", "ws"),
    };
    let mut out = Vec::new();
    for scheme in [web, socket] {
        let base = format!("^{scheme}://{sub}{host}{port}");
        if rule.path.is_empty() {
            out.push(format!("{base}[/?#]"));
            out.push(format!("{base}$"));
        } else {
            let path = regex_escape(&rule.path);
            out.push(format!("{base}{path}[/?#]"));
            out.push(format!("{base}{path}$"));
        }
    }
    out
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if ".*+?^$()[]{}|\\/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Localized;
    use crate::policy::{Category, Service};

    fn policy(rules: &[&str], http: &[&str]) -> Policy {
        policy_with(rules, &[], http)
    }

    fn policy_with(rules: &[&str], resources: &[&str], http: &[&str]) -> Policy {
        Policy::new(
            vec![Service {
                id: "s".into(),
                pack: "p".into(),
                names: Localized::same("S"),
                category: Category::Taxes,
                start_url: crate::policy::StartUrls::same(
                    url::Url::parse("https://www.example.be/").unwrap(),
                ),
                resources: resources.iter().map(|r| Rule::parse(r).unwrap()).collect(),
                allow: rules.iter().map(|r| Rule::parse(r).unwrap()).collect(),
                logout_url: None,
                permissions: vec![],
            }],
            &http.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>(),
        )
    }

    fn filters(json: &str) -> Vec<(String, String)> {
        let v: Value = serde_json::from_str(json).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["trigger"]["url-filter"].as_str().unwrap().to_owned(),
                    r["action"]["type"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn blocks_first_then_allows_each_rule() {
        let f = filters(&compile(&policy(
            &["*.myminfin.be", "www.belgium.be/fr"],
            &[],
        )));
        assert_eq!(f[0], ("^https?://".into(), "block".into()));
        assert_eq!(f[1], ("^wss?://".into(), "block".into()));
        assert!(f[2..].iter().all(|(_, a)| a == "ignore-previous-rules"));
        let urls: Vec<&str> = f.iter().map(|(u, _)| u.as_str()).collect();
        assert!(
            urls.contains(&"^https://([^/@]*\\.)?myminfin\\.be[/?#]"),
            "{urls:?}"
        );
        assert!(
            urls.contains(&"^https://www\\.belgium\\.be\\/fr[/?#]"),
            "{urls:?}"
        );
        assert!(
            urls.contains(&"^https://www\\.belgium\\.be\\/fr$"),
            "{urls:?}"
        );
        assert!(
            urls.contains(&"^wss://www\\.belgium\\.be\\/fr[/?#]"),
            "{urls:?}"
        );
        assert!(
            !urls.iter().any(|u| u.contains('|')),
            "no alternation in WebKit filters"
        );
    }

    #[test]
    fn resource_hosts_are_allowed_like_allow_rules() {
        let f = filters(&compile(&policy_with(
            &["www.burgerprofiel.be"],
            &[
                "prod.widgets.burgerprofiel.vlaanderen.be",
                "http://cdn.plain.be",
            ],
            &[],
        )));
        let urls: Vec<&str> = f.iter().map(|(u, _)| u.as_str()).collect();
        assert!(
            urls.contains(&"^https://prod\\.widgets\\.burgerprofiel\\.vlaanderen\\.be[/?#]"),
            "{urls:?}"
        );
        assert!(!urls.iter().any(|u| u.contains("plain")), "{urls:?}");
    }

    #[test]
    fn plain_http_only_for_allow_http_hosts_and_ports_are_explicit() {
        let f = filters(&compile(&policy(
            &[
                "http://intranet.local",
                "http://other.local",
                "https://x.be:8443",
            ],
            &["intranet.local"],
        )));
        let urls: Vec<&str> = f.iter().map(|(u, _)| u.as_str()).collect();
        assert!(urls.contains(&"^http://intranet\\.local[/?#]"), "{urls:?}");
        assert!(!urls.iter().any(|u| u.contains("other")), "{urls:?}");
        assert!(urls.contains(&"^https://x\\.be:8443[/?#]"), "{urls:?}");
    }
}
