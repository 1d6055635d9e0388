//! Test configs: the view's (a test pack, everything through the recording proxy) and the
//! daemon's (the real `be-federal` pack, a control socket, a staff group).
//!
//! [`TestConfig::packs`] chooses the packs a view's config enables: the test pack, a test's
//! own pack, or a shipped pack of `policies/` played over plain http ([`shipped_over_http`]):
//! the proxy has no TLS, so a shipped pack's rules, start, logout and resource URLs are turned
//! from https into http, and the hosts of its URLs join `[policy] allow_http`.

use std::path::{Path, PathBuf};

use super::proxy::Proxy;

/// A test `guichet.toml` and pack, written into a temp dir.
#[derive(Clone, Debug)]
pub struct TestConfig {
    /// Rules of the local service (`[policy] extra`).
    pub extra: Vec<String>,
    /// `[policy] allow_http`.
    pub allow_http: Vec<String>,
    /// `"open"` or `"policy"`.
    pub subresources: &'static str,
    /// `[terminal] start_url` (replaces the welcome screen).
    pub start_url: Option<String>,
    pub downloads_enabled: bool,
    pub max_bytes: u64,
    /// `[downloads] max_session_bytes` (`None`: the default).
    pub max_session_bytes: Option<u64>,
    /// `[downloads] max_files` (`None`: the default).
    pub max_files: Option<u64>,
    pub languages: Vec<&'static str>,
    /// `resources` of the test pack's `impots` service (hosts its pages load from).
    pub resources: Vec<String>,
    /// Whether the view goes through the recording proxy (`[network] proxy`); without it,
    /// the view resolves and connects by itself.
    pub proxy: bool,
    /// The packs enabled, in this order (priority, and the order of the service lists).
    pub packs: Vec<PackChoice>,
}

/// A pack a test config enables.
#[derive(Clone, Debug)]
pub enum PackChoice {
    /// The test pack (`test-pack`: `impots` and `pension`, over https).
    Test,
    /// A test's own pack: its id and its text (hosts over plain http go in `allow_http`).
    Own(&'static str, String),
    /// A shipped pack of `policies/`, over plain http ([`shipped_over_http`]).
    Shipped(String),
}

impl Default for TestConfig {
    fn default() -> Self {
        TestConfig {
            extra: vec![
                "http://www.allowed.test".into(),
                "http://login.sso.test".into(),
                "http://cdn.allowed.test".into(),
            ],
            allow_http: vec![
                "www.allowed.test".into(),
                "login.sso.test".into(),
                "cdn.allowed.test".into(),
            ],
            subresources: "open",
            start_url: None,
            downloads_enabled: true,
            max_bytes: 100_000,
            max_session_bytes: None,
            max_files: None,
            languages: vec!["fr", "nl", "de", "en"],
            resources: Vec::new(),
            proxy: true,
            packs: vec![PackChoice::Test],
        }
    }
}

/// The test pack: two services with every language, over https (unreachable through the
/// proxy, which refuses CONNECT, but listed on the welcome screen and the blocked page).
const TEST_PACK: &str = r#"
id = "test-pack"
title = { fr = "Services de test", nl = "Testdiensten", de = "Testdienste", en = "Test services" }

[[service]]
id = "impots"
names = { fr = "Impôts (test)", nl = "Belastingen (test)", de = "Steuern (test)", en = "Taxes (test)" }
category = "taxes"
start_url = "https://www.allowed.test/"
allow = ["www.allowed.test", "login.sso.test"]
logout_url = "https://login.sso.test/logout"
resources = [RESOURCES]

[[service]]
id = "pension"
names = { fr = "Ma pension (test)", nl = "Mijn pensioen (test)", de = "Meine Rente (test)", en = "My pension (test)" }
category = "pension"
start_url = "https://pension.allowed.test/"
allow = ["pension.allowed.test"]
"#;

impl TestConfig {
    /// Writes `guichet.toml` (+ `packs/test-pack.toml`) into `dir`, pointing at `proxy`.
    pub fn write(&self, dir: &Path, proxy: &Proxy) -> PathBuf {
        std::fs::create_dir_all(dir.join("packs")).unwrap();
        let list = |v: &[String]| {
            v.iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut allow_http = self.allow_http.clone();
        let mut ids = Vec::new();
        for choice in &self.packs {
            let (id, text) = match choice {
                PackChoice::Test => (
                    "test-pack",
                    TEST_PACK.replace("RESOURCES", &list(&self.resources)),
                ),
                PackChoice::Own(id, text) => (*id, text.clone()),
                PackChoice::Shipped(id) => {
                    let (text, hosts) = shipped_over_http(id);
                    allow_http.extend(hosts);
                    (id.as_str(), text)
                }
            };
            std::fs::write(dir.join(format!("packs/{id}.toml")), text).unwrap();
            ids.push(id.to_owned());
        }
        allow_http.sort();
        allow_http.dedup();
        let langs: Vec<String> = self.languages.iter().map(|s| (*s).to_owned()).collect();
        let start = self
            .start_url
            .as_ref()
            .map(|u| format!("start_url = {u:?}\n"))
            .unwrap_or_default();
        let mut bounds = String::new();
        if let Some(n) = self.max_session_bytes {
            bounds.push_str(&format!("max_session_bytes = {n}\n"));
        }
        if let Some(n) = self.max_files {
            bounds.push_str(&format!("max_files = {n}\n"));
        }
        let network = if self.proxy {
            format!("[network]\nproxy = \"{}\"\n", proxy.url())
        } else {
            String::new()
        };
        let text = format!(
            r#"[terminal]
name = "e2e"
languages = [{langs}]
{start}
[policy]
packs = [{packs}]
pack_dirs = ["packs"]
extra = [{extra}]
subresources = "{sub}"
allow_http = [{http}]

[downloads]
enabled = {dl}
max_bytes = {max}
{bounds}blocked_extensions = ["sh", "desktop", "exe"]

{network}
[control]
socket = "control.sock"

[stats]
enabled = false
dir = "stats"
"#,
            langs = list(&langs),
            extra = list(&self.extra),
            sub = self.subresources,
            packs = list(&ids),
            http = list(&allow_http),
            dl = self.downloads_enabled,
            max = self.max_bytes,
        );
        let path = dir.join("guichet.toml");
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// The shipped pack `id` over plain http, and the hosts it then needs in `[policy]
/// allow_http`: every rule, start, logout and resource URL of the file turned from https into
/// http (rules without a scheme get `http://`), the rest (ids, names, `requires`) as shipped.
/// The hosts are those of its start and logout URLs and its resource hosts without `*.`.
pub fn shipped_over_http(id: &str) -> (String, Vec<String>) {
    let path = policies_dir().join(format!("{id}.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut pack: toml::Table = toml::from_str(&text).unwrap();
    let mut hosts = Vec::new();
    // A URL over http instead of https; its host goes to `hosts`.
    fn url(v: &mut toml::Value, hosts: &mut Vec<String>) {
        let u = v.as_str().unwrap().replacen("https://", "http://", 1);
        hosts.push(url::Url::parse(&u).unwrap().host_str().unwrap().to_owned());
        *v = toml::Value::String(u);
    }
    let services = pack.get_mut("service").and_then(|s| s.as_array_mut());
    for service in services.into_iter().flatten() {
        let service = service.as_table_mut().unwrap();
        match service.get_mut("start_url").unwrap() {
            toml::Value::Table(per_lang) => {
                per_lang.iter_mut().for_each(|(_, v)| url(v, &mut hosts))
            }
            one => url(one, &mut hosts),
        }
        if let Some(logout) = service.get_mut("logout_url") {
            url(logout, &mut hosts);
        }
        for key in ["allow", "resources"] {
            for rule in service
                .get_mut(key)
                .and_then(|r| r.as_array_mut())
                .into_iter()
                .flatten()
            {
                let r = rule.as_str().unwrap();
                let r = r.strip_prefix("https://").unwrap_or(r);
                assert!(!r.starts_with("http://"), "{id}: a shipped http rule {r}");
                if key == "resources" && !r.starts_with("*.") {
                    hosts.push(r.split(['/', ':']).next().unwrap().to_owned());
                }
                *rule = toml::Value::String(format!("http://{r}"));
            }
        }
    }
    (toml::to_string(&pack).unwrap(), hosts)
}

/// The packs of the repository (`policies/`).
pub fn policies_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

/// A config for tests; `name` is the terminal name, `staff` the staff group.
pub fn config_text(name: &str, socket: &Path, staff: &str, idle: u64) -> String {
    format!(
        r#"[terminal]
name = "{name}"
languages = ["fr", "nl"]

[session]
idle_timeout_secs = {idle}
idle_warning_secs = 10
max_duration_secs = 3600
logout_before_wipe = true

[policy]
packs = ["be-login", "be-federal"]
pack_dirs = ["{packs}"]

[control]
socket = "{socket}"
staff_group = "{staff}"

[stats]
enabled = false
dir = "stats"
"#,
        packs = policies_dir().display(),
        socket = socket.display(),
    )
}

/// The text of a test's own pack `id` ([`PackChoice::Own`]) with these `[[service]]`s
/// ([`service_toml`]).
pub fn own_pack(id: &str, services: &[String]) -> String {
    format!(
        "id = \"{id}\"\ntitle = {{ fr = \"{id}\", nl = \"{id}\", de = \"{id}\", en = \"{id}\" }}\n{}",
        services.concat()
    )
}

/// One `[[service]]` of a test pack, named after its id in every language, in category
/// `administration`; `start_url` is TOML (a quoted URL or a `{ fr = …, nl = …, … }` table).
pub fn service_toml(id: &str, start_url: &str, allow: &[&str], logout: Option<&str>) -> String {
    let allow: Vec<String> = allow.iter().map(|r| format!("{r:?}")).collect();
    let logout = logout
        .map(|u| format!("logout_url = {u:?}\n"))
        .unwrap_or_default();
    format!(
        "\n[[service]]\nid = \"{id}\"\n\
         names = {{ fr = \"{id}\", nl = \"{id}\", de = \"{id}\", en = \"{id}\" }}\n\
         category = \"administration\"\nstart_url = {start_url}\nallow = [{}]\n{logout}",
        allow.join(", ")
    )
}
