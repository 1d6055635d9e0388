//! Values that may appear in logs, statistics and protocol messages.
//!
//! guichet promises that nothing of a person survives a session: no URL, query, title, file
//! name or typed text in any log. The types here make the right thing easy: a [`LoggableHost`]
//! can only be built from a parsed host, so a path or a query cannot slip into a log line by
//! accident. Log a `LoggableHost`, never a `Url` or a `Path` of user data.
//!
//! What must travel but never be logged (a URL, a file name) is wrapped in a [`Private`]: its
//! `Debug` and `Display` print `<redacted>`, so a `?value` or `%value` in a log line, a
//! `{:?}` of a whole message or an error that embeds it cannot leak it.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// A host name or IP literal, lower-case, without port, path or query.
///
/// Built from a parsed [`url::Url`] (or a protocol message that carries only a host), so it
/// holds nothing but the host.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LoggableHost(String);

/// Longest host name DNS allows; longer values are refused.
const MAX_HOST_LEN: usize = 253;

impl LoggableHost {
    /// The host of `url`, if it has one.
    pub fn of(url: &url::Url) -> Option<Self> {
        url.host().map(|h| Self(host_key(&h).into_owned()))
    }

    /// The host as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The canonical text of a host: lower-case ASCII domain without the trailing dot of a fully
/// qualified name, or an IP literal (IPv6 in brackets).
///
/// Only one trailing dot goes: `allowed.be.` is `allowed.be`, but `allowed.be..` stays as it
/// is and so matches no rule. A domain already in canonical form (as the URL parser leaves
/// it) is borrowed, not copied: the policy computes this for every navigation.
pub(crate) fn host_key<S: AsRef<str>>(host: &url::Host<S>) -> Cow<'_, str> {
    match host {
        url::Host::Domain(d) => {
            let d = d.as_ref();
            let d = d.strip_suffix('.').unwrap_or(d);
            if d.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(d.to_ascii_lowercase())
            } else {
                Cow::Borrowed(d)
            }
        }
        url::Host::Ipv4(a) => Cow::Owned(a.to_string()),
        url::Host::Ipv6(a) => Cow::Owned(format!("[{a}]")),
    }
}

impl TryFrom<String> for LoggableHost {
    type Error = String;

    /// Accepts only what a host can be made of, so a peer cannot smuggle a path or text into a
    /// log through a "host" field.
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let ok = !s.is_empty()
            && s.len() <= MAX_HOST_LEN
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b));
        if ok {
            Ok(Self(s.to_ascii_lowercase()))
        } else {
            Err("not a host name".to_owned())
        }
    }
}

impl From<LoggableHost> for String {
    fn from(h: LoggableHost) -> Self {
        h.0
    }
}

impl fmt::Display for LoggableHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A value of the person's (a URL, a file name) that may travel but never be shown in a log.
///
/// `Debug` and `Display` print `<redacted>`; the value is reached only through
/// [`Private::expose`], which names the one place that uses it. Serializes as the bare value
/// (it crosses the view protocol).
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Private<T>(T);

impl<T> Private<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value itself, for the code that acts on it (loads the URL, opens the file).
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Private<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Private<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_value_never_prints() {
        let p = Private::new("https://www.myminfin.be/?nn=85073100123".to_owned());
        assert_eq!(
            format!("{p:?} {p} {:?}", vec![p.clone()]),
            "<redacted> <redacted> [<redacted>]"
        );
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            "\"https://www.myminfin.be/?nn=85073100123\""
        );
        assert_eq!(p.expose(), "https://www.myminfin.be/?nn=85073100123");
    }

    #[test]
    fn keeps_only_the_host() {
        let u = url::Url::parse("https://User:pw@WWW.Example.BE.:8443/a/b?q=secret#frag").unwrap();
        assert_eq!(LoggableHost::of(&u).unwrap().as_str(), "www.example.be");
    }

    #[test]
    fn refuses_text_that_is_not_a_host() {
        for bad in ["", "a/b", "a b", "x?q=1", "é.be", &"a".repeat(300)] {
            assert!(LoggableHost::try_from(bad.to_owned()).is_err(), "{bad:?}");
        }
        assert!(LoggableHost::try_from("[::1]".to_owned()).is_ok());
    }
}
