//! The summary: the services in the order they were used with their local time of day, each
//! change of service once, names in the person's language, and a file only in the session.

use chrono::TimeZone;

use super::*;
use crate::config::Config;

fn config() -> Config {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("kiosk-config/guichet.toml");
    Config::load(&path).expect("the example config loads")
}

fn at(h: u32, m: u32) -> DateTime<Local> {
    Local.with_ymd_and_hms(2026, 12, 3, h, m, 30).unwrap()
}

/// Two services of the example config.
fn two(config: &Config) -> (String, String) {
    let mut ids = config
        .policy
        .policy
        .services()
        .iter()
        .filter(|s| s.id != crate::policy::LOCAL_ID)
        .map(|s| s.id.clone());
    (ids.next().unwrap(), ids.next().unwrap())
}

#[test]
fn services_in_order_with_their_time_each_change_once() {
    let config = config();
    let policy = &config.policy.policy;
    let (a, b) = two(&config);
    let mut memory = Memory::default();
    memory.service_used(&a, at(9, 5));
    // More pages of the same service: still one line.
    memory.service_used(&a, at(9, 7));
    memory.service_used(&b, at(10, 41));
    memory.service_used(&a, at(11, 0));
    // A service the config no longer has is left out.
    memory.service_used("gone-service", at(11, 2));
    for lang in Lang::ALL {
        let s = summary(&memory, policy, lang, vec!["attestation.pdf".into()]);
        let name = |id: &str| policy.service(id).unwrap().names.get(lang).to_owned();
        let used = |time: &str, id: &str| Used {
            time: time.into(),
            name: name(id),
        };
        assert_eq!(
            s.services,
            vec![used("09:05", &a), used("10:41", &b), used("11:00", &a)],
            "{lang:?}"
        );
        let date = if lang == Lang::De {
            "03.12.2026"
        } else {
            "03/12/2026"
        };
        assert_eq!(s.date.as_deref(), Some(date));
        let text = text(&s, lang);
        let t = keep_texts(lang);
        for needle in [
            t.summary_title,
            t.summary_services,
            t.summary_documents,
            date,
        ] {
            assert!(text.contains(needle), "{lang:?}: {needle} not in {text}");
        }
        assert!(text.contains(&format!("10:41  {}", name(&b))), "{text}");
        assert!(text.contains("  attestation.pdf\n"), "{text}");
        assert!(!text.contains("gone-service"));
    }
}

#[test]
fn an_empty_visit_says_so() {
    let config = config();
    let s = summary(&Memory::default(), &config.policy.policy, Lang::Nl, vec![]);
    assert_eq!(s.date, None);
    let text = text(&s, Lang::Nl);
    assert!(text.contains("Geen dienst."), "{text}");
    assert!(text.contains("Geen document."), "{text}");
}

#[test]
fn the_memory_is_bounded() {
    let mut memory = Memory::default();
    for i in 0..(MAX_USES + 50) {
        memory.service_used(&format!("s{}", i % 2), at(9, 0));
    }
    assert_eq!(memory.uses.len(), MAX_USES);
}

/// The file is the session's `summary.txt`, mode 0600; a link planted under its name is
/// replaced, never followed; nothing else in or outside the session changes.
#[test]
fn the_printable_file_is_written_in_the_session_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let session = SessionDir::create(tmp.path()).unwrap();
    let outside = tmp.path().join("outside.txt");
    std::fs::write(&outside, "canary").unwrap();
    std::os::unix::fs::symlink(&outside, session.root().join(FILE_NAME)).unwrap();
    let config = config();
    let (a, _) = two(&config);
    let mut memory = Memory::default();
    memory.service_used(&a, at(14, 5));
    let s = summary(
        &memory,
        &config.policy.policy,
        Lang::Fr,
        vec!["avis.pdf".into()],
    );
    let path = write(&session, &s, Lang::Fr).unwrap();
    assert_eq!(path, session.root().join(FILE_NAME));
    let meta = std::fs::symlink_metadata(&path).unwrap();
    assert!(meta.file_type().is_file());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text(&s, Lang::Fr));
    assert!(std::fs::read_to_string(&path).unwrap().contains("14:05"));
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "canary");
    // Written again (another language): replaced.
    write(&session, &s, Lang::En).unwrap();
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("Summary of your visit"));
    assert!(std::fs::read_dir(session.downloads())
        .unwrap()
        .next()
        .is_none());
}
