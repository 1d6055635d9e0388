//! Every language has every text, each reason and kind its own words, short enough for the toolbar.

use super::*;

#[test]
fn every_language_has_every_text() {
    for lang in Lang::ALL {
        let json = serde_json::to_value(texts(lang)).unwrap();
        for (key, value) in json.as_object().unwrap() {
            assert!(
                !value.as_str().unwrap().trim().is_empty(),
                "{key} empty in {lang:?}"
            );
        }
        assert!(texts(lang).still_there_body.contains("{n}"));
        assert!(texts(lang).max_time_body.contains("{n}"));
        assert!(texts(lang).retry_auto.contains("{n}"));
    }
}

/// Each kind of problem has its own words, in every language.
#[test]
fn every_problem_kind_says_something_different() {
    for lang in Lang::ALL {
        let mut said: Vec<&str> = ProblemKind::ALL
            .iter()
            .map(|k| texts(lang).problem(*k))
            .collect();
        said.sort_unstable();
        said.dedup();
        assert_eq!(said.len(), ProblemKind::ALL.len(), "{lang:?}");
    }
}

/// Each refusal has its own words, in every language.
#[test]
fn every_refusal_reason_says_something_different() {
    let reasons = [
        Refusal::Disabled,
        Refusal::NotByYou,
        Refusal::BlockedExtension,
        Refusal::TooLarge,
        Refusal::TooManyFiles,
        Refusal::SessionFull,
    ];
    for lang in Lang::ALL {
        let t = texts(lang);
        let mut said: Vec<&str> = reasons
            .iter()
            .map(|r| t.refusal(*r))
            .chain([t.download_done])
            .collect();
        // The toolbar's notice slot holds three short lines: keep each text short.
        for text in &said {
            assert!(
                text.chars().count() <= 52,
                "{lang:?}: too long for the toolbar: {text}"
            );
        }
        said.sort_unstable();
        said.dedup();
        assert_eq!(said.len(), reasons.len() + 1, "{lang:?}");
    }
}
