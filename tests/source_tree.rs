//! The source tree stays readable: files short enough to read in one sitting, and no import
//! cycle between files.
//!
//! A file is a module (`src/a/b.rs` and `src/a/b/mod.rs` are `a::b`). A file *uses* another
//! when it names it through a `crate::…` or `super::…` path (in a `use` or inline). Uses
//! between a module and its own ancestors are the usual Rust shape (a parent declares its
//! children, children extend the parent's types) and are not counted; every other use is an
//! edge, and the graph of edges must have no cycle — the kind of circle where `app`,
//! `content` and `window` each needed the others.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest file allowed in `src/`, in lines.
const MAX_LINES: usize = 500;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/daemon/wipe/mod.rs` → `["daemon", "wipe"]`; binaries and `lib.rs` → `None`/root.
fn module_of(src: &Path, file: &Path) -> Option<Vec<String>> {
    let rel = file.strip_prefix(src).ok()?;
    if rel.starts_with("bin") {
        return None;
    }
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    match last.as_str() {
        "mod.rs" | "lib.rs" => {}
        other => parts.push(other.trim_end_matches(".rs").to_owned()),
    }
    Some(parts)
}

/// Every `crate::…` / `super::…` path in `text`, brace groups of `use` expanded one level.
fn paths_in(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let starts = (rest.starts_with(b"crate::") || rest.starts_with(b"super::"))
            && (i == 0 || !is_ident(bytes[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && (is_ident(bytes[j]) || bytes[j] == b':') {
            j += 1;
        }
        let path = code[i..j].trim_end_matches(':').to_owned();
        if code[j..].starts_with('{') || code[i..j].ends_with("::") && bytes.get(j) == Some(&b'{') {
            let close = code[j..].find('}').map_or(bytes.len(), |c| j + c);
            for item in code[j + 1..close].split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                if !first.is_empty() && first != "self" {
                    out.push(format!("{path}::{first}"));
                }
            }
        }
        out.push(path);
        i = j.max(i + 1);
    }
    out
}

/// The module a path names: the longest prefix that is a known module.
fn resolve(from: &[String], path: &str, modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let mut segs: Vec<&str> = path.split("::").collect();
    let mut base: Vec<String> = match *segs.first()? {
        "crate" => Vec::new(),
        "super" => {
            let mut b = from.to_vec();
            while segs.first() == Some(&"super") {
                b.pop()?;
                segs.remove(0);
            }
            segs.insert(0, "super");
            b
        }
        _ => return None,
    };
    let mut found = Some(base.clone()).filter(|b| modules.contains(b));
    for s in segs.iter().skip(1) {
        base.push((*s).to_owned());
        if modules.contains(&base) {
            found = Some(base.clone());
        } else {
            break;
        }
    }
    found
}

fn is_ancestor(a: &[String], b: &[String]) -> bool {
    a.len() <= b.len() && b[..a.len()] == *a
}

fn find_cycle(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle: Vec<String> = stack[at..].iter().map(|m| m.join("::")).collect();
                    cycle.push(next.join("::"));
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(node, graph, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

fn sources() -> (PathBuf, Vec<PathBuf>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    (src, files)
}

#[test]
fn no_file_in_src_is_longer_than_a_sitting() {
    let (src, files) = sources();
    assert!(files.len() > 20, "found only {} files", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > MAX_LINES)
                .then(|| format!("{} ({n} lines)", f.strip_prefix(&src).unwrap().display()))
        })
        .collect();
    assert!(long.is_empty(), "files over {MAX_LINES} lines: {long:?}");
}

#[test]
fn no_import_cycle_between_files() {
    let (src, files) = sources();
    let modules: BTreeSet<Vec<String>> = files.iter().filter_map(|f| module_of(&src, f)).collect();
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let mut edges = 0;
    for file in &files {
        let Some(from) = module_of(&src, file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for path in paths_in(&text) {
            let Some(to) = resolve(&from, &path, &modules) else {
                continue;
            };
            if is_ancestor(&to, &from) || is_ancestor(&from, &to) {
                continue;
            }
            edges += graph.entry(from.clone()).or_default().insert(to) as usize;
        }
    }
    assert!(edges > 30, "only {edges} edges: the path scanner is broken");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_scanner_sees_a_cycle_when_there_is_one() {
    let modules: BTreeSet<Vec<String>> = [
        vec![],
        vec!["v".into()],
        vec!["v".into(), "a".into()],
        vec!["v".into(), "b".into()],
    ]
    .into_iter()
    .collect();
    let a = vec!["v".to_owned(), "a".to_owned()];
    let b = vec!["v".to_owned(), "b".to_owned()];
    let from_a = paths_in("use super::{b::Thing, Other};\nfn f() { crate::v::b::g(); }");
    let from_b = paths_in("use crate::v::a::Event;");
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (from, paths) in [(&a, from_a), (&b, from_b)] {
        for p in paths {
            if let Some(to) = resolve(from, &p, &modules) {
                if !is_ancestor(&to, from) && !is_ancestor(from, &to) {
                    graph.entry(from.clone()).or_default().insert(to);
                }
            }
        }
    }
    assert!(find_cycle(&graph).is_some(), "{graph:?}");
}
