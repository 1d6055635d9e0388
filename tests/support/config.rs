//! Test configs: the view's (a test pack, everything through the recording proxy) and the
//! daemon's (the real `be-federal` pack, a control socket, a staff group).

use std::path::{Path, PathBuf};

use super::proxy::Proxy;

/// A test `guichet.toml` and pack, written into a temp dir.
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
        let pack = TEST_PACK.replace("RESOURCES", &list(&self.resources));
        std::fs::write(dir.join("packs/test-pack.toml"), pack).unwrap();
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
packs = ["test-pack"]
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
            http = list(&self.allow_http),
            dl = self.downloads_enabled,
            max = self.max_bytes,
        );
        let path = dir.join("guichet.toml");
        std::fs::write(&path, text).unwrap();
        path
    }
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
