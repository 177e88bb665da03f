//! The module graph has no cycles, and the five signature flows never import each other.
//!
//! How it proves it: every non-test source file under `xtask/src` is read; comments, string
//! literals and `#[cfg(test)]` modules are dropped; every path it names — in `use` items, with
//! `{…}` groups expanded, and inline (`crate::a::b`, `super::x`, `self::y`) — is resolved to an
//! absolute module path. Each path is mapped to its node: a top-level module (`digest`,
//! `release_check`), or the first-level submodule of a module folder (`sign::gate`, `rtm::sdoc`).
//! An edge joins the file's node to each node it names; a depth-first search then looks for a
//! back edge. `mod x;` declarations are not edges, so a parent folder's `mod.rs` does not tie
//! itself to every child, only to those it re-exports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains("test") {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// `sign/gate.rs` → [sign, gate]; `sign/mod.rs` → [sign]; `lib.rs` → [].
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if !["mod", "lib", "main"].contains(&stem) {
        parts.push(stem.to_owned());
    }
    parts
}

/// The source without comments, string and char literals, or its `#[cfg(test)]` tail.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            i = end;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            i += 3;
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            i += text[i + 2..].find('\'').map_or(b.len() - i, |e| e + 3);
        } else if b[i..].starts_with(b"r#\"") {
            let end = text[i + 3..].find("\"#").map_or(b.len(), |e| i + 3 + e + 2);
            i = end;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// `a::{b, c::{d, e}}` → [a::b, a::c::d, a::c::e].
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap_or_default().trim().to_owned()];
    };
    let prefix = tree[..open].trim_end_matches("::").trim();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut depth, mut start, mut out) = (0, 0, Vec::new());
    let mut items = Vec::new();
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    for item in items.into_iter().map(str::trim).filter(|s| !s.is_empty()) {
        for tail in expand(item) {
            out.push(if tail == "self" { prefix.to_owned() } else { format!("{prefix}::{tail}") });
        }
    }
    out
}

/// Every module path the code names, relative or absolute, as written.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before_ok = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric() && rest.as_bytes()[at - 1] != b'_';
        let end = rest[at..].find(';').map_or(rest.len(), |e| at + e);
        if before_ok {
            paths.extend(expand(&rest[at + 4..end]));
        }
        rest = &rest[(at + 4).min(rest.len())..];
    }
    let bytes = code.as_bytes();
    for root in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(root) {
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_' || bytes[at - 1] == b':') {
                continue;
            }
            let len = code[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(code.len() - at);
            paths.push(code[at..at + len].trim_end_matches(':').to_owned());
        }
    }
    paths
}

/// An absolute module path (no leading `crate`), or None for another crate.
fn resolve(path: &str, module: &[String]) -> Option<Vec<String>> {
    let mut parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
    let mut base: Vec<String> = match parts.first().copied() {
        Some("crate") => {
            parts.remove(0);
            Vec::new()
        }
        Some("super") | Some("self") => module.to_vec(),
        _ => return None,
    };
    while let Some(first) = parts.first().copied() {
        match first {
            "super" => {
                base.pop()?;
            }
            "self" => {}
            _ => break,
        }
        parts.remove(0);
    }
    base.extend(parts.into_iter().map(str::to_owned));
    Some(base)
}

/// The node a module path belongs to: `[sign, gate, …]` → `sign::gate` when `sign` is a folder
/// with a `gate` module; otherwise the top-level module.
fn node_of(path: &[String], folders: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    let top = path.first()?;
    match (folders.get(top), path.get(1)) {
        (Some(children), Some(child)) if children.contains(child) => Some(format!("{top}::{child}")),
        _ => Some(top.clone()),
    }
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: Vec<Vec<String>> = files.iter().map(|f| module_of(f)).collect();
    let mut folders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in modules.iter().filter(|m| m.len() >= 2) {
        folders.entry(m[0].clone()).or_default().insert(m[1].clone());
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, module) in files.iter().zip(&modules) {
        let Some(from) = node_of(module, &folders) else { continue };
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for path in named_paths(&code) {
            let Some(to) = resolve(&path, module).and_then(|p| node_of(&p, &folders)) else { continue };
            if to != from && !from.starts_with(&format!("{to}::")) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                0 => {
                    if let Some(c) = visit(next, edges, state, path) {
                        return Some(c);
                    }
                }
                1 => {
                    let from = path.iter().position(|p| p == next).unwrap_or(0);
                    let mut cycle = path[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0
            && let Some(c) = visit(node, edges, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

#[test]
fn the_module_graph_has_no_cycles() {
    let edges = graph();
    assert!(edges.len() > 30, "the walk found too few modules: {edges:?}");
    assert!(edges["sign::gate"].contains("sign::signed"), "the parser misses known edges: {edges:?}");
    if let Some(cycle) = find_cycle(&edges) {
        panic!("import cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn the_signature_flows_never_import_each_other() {
    let edges = graph();
    let flows = ["sign::admin", "sign::ceremony", "sign::request", "sign::sigstore", "sign::verify"];
    for from in flows {
        let bad: Vec<&String> =
            edges.get(from).into_iter().flatten().filter(|to| flows.contains(&to.as_str())).collect();
        assert!(bad.is_empty(), "{from} imports the flow(s) {bad:?}; share a lower-floor module instead");
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]
    .into();
    assert_eq!(find_cycle(&edges).unwrap(), ["a", "b", "c", "a"]);
    assert_eq!(
        expand("super::{SignError, layout::{self, X}, audit}"),
        ["super::SignError", "super::layout", "super::layout::X", "super::audit"]
    );
}
