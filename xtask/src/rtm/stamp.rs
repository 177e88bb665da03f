//! `stamp`: record that a person reviewed requirements in their current form. Writes
//! `REVIEWED_HASH`, `REVIEWED_BY` and `REVIEWED_UPSTREAM` into the `.sdoc` in place, adds the
//! fields to the grammar when it lacks them, and changes no other byte. Afterwards every
//! requirement's fingerprint must be what it was before (the fingerprint excludes the review
//! fields), or the files are restored and the stamp fails.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::gate::load_documents;
use super::model::Graph;
use super::review::{fingerprints, upstream_record};
use super::sdoc::{Document, Node};
use super::{RtmError, sdoc};
use crate::fsx::atomic;

use super::changed::nodes_by_uid;
pub use super::changed::{Change, Left, REVIEW_FIELDS, Why};

#[derive(Debug, Clone)]
pub struct StampOptions {
    pub root: PathBuf,
    pub docs: Vec<String>,
    /// Requirements to stamp; empty with `all` stamps every one.
    pub uids: Vec<String>,
    pub all: bool,
    /// A merged change (its base's checkout and its diff): selects the requirements it made
    /// unreviewed and showed whole, which its approving review covered (the auto-stamp).
    pub changed_since: Option<Change>,
    pub by: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StampReport {
    pub stamped: Vec<String>,
    pub files: Vec<PathBuf>,
    /// With `changed_since`: requirements not reviewed now that were not reviewed in the base
    /// either. The change's review did not cover their earlier change, so they are left alone.
    pub left: Vec<Left>,
}

/// One replacement in one file: bytes `start..end` become `text`.
#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

pub fn stamp(opts: &StampOptions) -> Result<StampReport, RtmError> {
    let (docs, _) = load_documents(&opts.root, &opts.docs)?;
    let graph = Graph::build(&docs, &opts.root)?;
    let fps = fingerprints(&graph);
    let (targets, left) = targets(&graph, &docs, opts)?;
    let nodes = nodes_by_uid(&docs);
    let mut edits: BTreeMap<PathBuf, Vec<Edit>> = BTreeMap::new();
    let mut grammar_needs: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    // Each file's line ending, read once: re-reading a file per requirement made stamping 10,000
    // requirements in one document quadratic.
    let mut newlines: HashMap<PathBuf, &'static str> = HashMap::new();
    for &i in &targets {
        let uid = &graph.reqs[i].uid;
        let (doc_index, node) = nodes[uid.as_str()];
        let values = [fps[i].clone(), opts.by.clone(), upstream_record(&graph, &fps, i)];
        let nl = match newlines.get(&*node.file) {
            Some(nl) => *nl,
            None => *newlines.entry(node.file.to_path_buf()).or_insert(newline(&read(&node.file)?)),
        };
        edits.entry(node.file.to_path_buf()).or_default().extend(node_edits(node, &values, nl));
        let doc = &docs[doc_index];
        let grammar = doc.grammar.element(&node.tag);
        if REVIEW_FIELDS.iter().any(|f| grammar.is_none_or(|g| g.field(f).is_none())) {
            grammar_needs.entry(doc_index).or_default().insert(node.tag.clone());
        }
    }
    // Documents importing one `.sgra` share it: one edit for all their tags, or two edits would
    // each replace the whole file.
    let mut by_grammar: BTreeMap<PathBuf, (usize, BTreeSet<String>)> = BTreeMap::new();
    for (doc_index, tags) in grammar_needs {
        let doc = &docs[doc_index];
        let key = doc.grammar.imported_from.clone().unwrap_or_else(|| doc.path.clone());
        by_grammar.entry(key).or_insert_with(|| (doc_index, BTreeSet::new())).1.extend(tags);
    }
    for (doc_index, tags) in by_grammar.into_values() {
        let (file, edit) = grammar_edit(&docs[doc_index], &tags)?;
        edits.entry(file).or_default().push(edit);
    }
    let originals = apply(&edits)?;
    if let Err(e) = verify_unchanged(opts, &graph, &fps) {
        for (file, text) in &originals {
            let _ = atomic::write(file, text.as_bytes());
        }
        return Err(e);
    }
    let files = originals.into_iter().map(|(f, _)| f).collect();
    Ok(StampReport { stamped: targets.iter().map(|&i| graph.reqs[i].uid.clone()).collect(), files, left })
}

fn targets(graph: &Graph, docs: &[Document], opts: &StampOptions) -> Result<(Vec<usize>, Vec<Left>), RtmError> {
    if let Some(change) = &opts.changed_since {
        return super::changed::select(graph, docs, &opts.root, change);
    }
    if opts.all {
        return Ok(((0..graph.reqs.len()).collect(), Vec::new()));
    }
    let mut seen = std::collections::HashSet::new();
    let mut uids = Vec::new();
    for u in &opts.uids {
        let i = graph.index.get(u).copied().ok_or_else(|| RtmError::UnknownUid { uid: u.clone() })?;
        // `--uid X --uid X` stamps X once: two edits of one block would overlap.
        if seen.insert(i) {
            uids.push(i);
        }
    }
    Ok((uids, Vec::new()))
}

fn read(path: &Path) -> Result<String, RtmError> {
    std::fs::read_to_string(path).map_err(|source| RtmError::Write { path: path.to_path_buf(), source })
}

fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Replaces the node's review fields (wherever they are) with one block at the place of the
/// first of them, or after the node's last field when it has none yet.
fn node_edits(node: &Node, values: &[String; 3], nl: &str) -> Vec<Edit> {
    let mut block = format!("REVIEWED_HASH: {}{nl}REVIEWED_BY: {}{nl}", values[0], values[1]);
    if !values[2].is_empty() {
        block.push_str(&format!("REVIEWED_UPSTREAM: >>>{nl}{}{nl}<<<{nl}", values[2].replace('\n', nl)));
    }
    let existing: Vec<_> = node.fields.iter().filter(|f| REVIEW_FIELDS.contains(&f.name.as_str())).collect();
    let Some(first) = existing.first() else {
        let end = node.fields.iter().map(|f| f.span.end).max().unwrap_or(node.span.start);
        return vec![Edit { start: end, end, text: block }];
    };
    let mut edits = vec![Edit { start: first.span.start, end: first.span.end, text: block }];
    edits.extend(existing[1..].iter().map(|f| Edit { start: f.span.start, end: f.span.end, text: String::new() }));
    edits
}

/// Declares the review fields for `tags` in the document's grammar: in its `[GRAMMAR]` block,
/// in the `.sgra` it imports, or — for the default grammar — in a new `[GRAMMAR]` block.
fn grammar_edit(doc: &Document, tags: &BTreeSet<String>) -> Result<(PathBuf, Edit), RtmError> {
    let (file, start, end) = match (&doc.grammar.imported_from, doc.grammar.span) {
        (Some(sgra), _) => {
            let len = read(sgra)?.len();
            (sgra.clone(), 0, len)
        }
        (None, Some(span)) => (doc.path.clone(), span.start, span.end),
        (None, None) => {
            let at = doc.nodes.first().map_or(doc.text.len(), |n| n.span.start);
            let nl = newline(&doc.text);
            let block = default_grammar_block(tags, nl);
            return Ok((doc.path.clone(), Edit { start: at, end: at, text: format!("{block}{nl}") }));
        }
    };
    let text = read(&file)?;
    let block = text.get(start..end).unwrap_or_default();
    let mut new_block = block.to_string();
    for tag in tags {
        new_block = add_fields_to_element(&new_block, tag, newline(&text));
    }
    Ok((file, Edit { start, end, text: new_block }))
}

/// Inserts the missing review fields after the last field entry of `- TAG: tag`, with the
/// indentation its own field entries use.
fn add_fields_to_element(block: &str, tag: &str, nl: &str) -> String {
    let lines: Vec<&str> = block.split_inclusive('\n').collect();
    let Some(tag_line) = lines.iter().position(|l| l.trim() == format!("- TAG: {tag}")) else {
        return block.to_string();
    };
    let element_indent = indent(lines[tag_line]);
    let element_end = (tag_line + 1..lines.len())
        .find(|&i| lines[i].trim_start().starts_with("- TAG:") && indent(lines[i]) <= element_indent)
        .unwrap_or(lines.len());
    let Some(fields_line) = (tag_line..element_end).find(|&i| lines[i].trim() == "FIELDS:") else {
        return block.to_string();
    };
    let entry_indent = lines.get(fields_line + 1).map_or(indent(lines[fields_line]) + 2, |l| indent(l));
    // Entries may sit at the same indentation as `FIELDS:` (StrictDoc writes them so); the list
    // ends at the first non-blank line that is neither an entry nor inside one.
    let fields_end = (fields_line + 1..element_end)
        .find(|&i| {
            let (line, at) = (lines[i].trim(), indent(lines[i]));
            !line.is_empty() && (at < entry_indent || (at == entry_indent && !line.starts_with("- ")))
        })
        .unwrap_or(element_end);
    // Trailing blank lines belong after the inserted entries.
    let mut insert_at = fields_end;
    while insert_at > fields_line + 1 && lines[insert_at - 1].trim().is_empty() {
        insert_at -= 1;
    }
    let declared = |name: &str| lines[fields_line..fields_end].iter().any(|l| l.trim() == format!("- TITLE: {name}"));
    let pad = " ".repeat(entry_indent);
    let mut added = String::new();
    for name in REVIEW_FIELDS.iter().filter(|n| !declared(n)) {
        added.push_str(&format!("{pad}- TITLE: {name}{nl}{pad}  TYPE: String{nl}{pad}  REQUIRED: False{nl}"));
    }
    let mut out: String = lines[..insert_at].concat();
    if !out.ends_with('\n') && !out.is_empty() {
        out.push_str(nl);
    }
    out.push_str(&added);
    out.push_str(&lines[insert_at..].concat());
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// StrictDoc's default REQUIREMENT grammar plus the review fields, for documents without one.
fn default_grammar_block(tags: &BTreeSet<String>, nl: &str) -> String {
    let default = sdoc::default_grammar();
    let mut out = format!("[GRAMMAR]{nl}ELEMENTS:{nl}");
    for tag in tags {
        let fields: Vec<String> = default
            .element(tag)
            .map(|e| e.fields.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_else(|| vec!["UID".into(), "TITLE".into(), "STATEMENT".into()]);
        out.push_str(&format!("- TAG: {tag}{nl}  FIELDS:{nl}"));
        for name in fields.iter().map(String::as_str).chain(REVIEW_FIELDS) {
            out.push_str(&format!("  - TITLE: {name}{nl}    TYPE: String{nl}    REQUIRED: False{nl}"));
        }
    }
    out
}

/// Applies every file's edits atomically per file; returns each file's original text.
fn apply(edits: &BTreeMap<PathBuf, Vec<Edit>>) -> Result<Vec<(PathBuf, String)>, RtmError> {
    let mut written = Vec::new();
    for (file, file_edits) in edits {
        let original = read(file)?;
        let text = splice(&original, file_edits);
        atomic::write(file, text.as_bytes()).map_err(|source| RtmError::Write { path: file.clone(), source })?;
        written.push((file.clone(), original));
    }
    Ok(written)
}

/// The text with the edits made, in one forward pass: replacing in place shifted the rest of
/// the file once per edit, quadratic in a 100,000-requirement document (issue #19). Edits at
/// the same place go in the reverse of their order in `edits`, as back-to-front replacement
/// put them; edits never overlap (one per review block, one per grammar).
fn splice(original: &str, edits: &[Edit]) -> String {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&k| (edits[k].start, edits[k].end, std::cmp::Reverse(k)));
    let mut out = String::with_capacity(original.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in order.into_iter().map(|k| &edits[k]) {
        out.push_str(original.get(at..e.start.max(at)).unwrap_or_default());
        out.push_str(&e.text);
        at = at.max(e.end);
    }
    out.push_str(original.get(at..).unwrap_or_default());
    out
}

/// The stamp changed only review fields: every fingerprint is as before. Otherwise the caller
/// puts the original files back (a bug, or a document the parser reads differently).
fn verify_unchanged(opts: &StampOptions, before: &Graph, fps: &[String]) -> Result<(), RtmError> {
    let after = load_documents(&opts.root, &opts.docs).and_then(|(docs, _)| Graph::build(&docs, &opts.root));
    let same = after.as_ref().is_ok_and(|g| {
        let new = fingerprints(g);
        g.reqs.len() == before.reqs.len()
            && g.reqs.iter().zip(&new).all(|(r, fp)| before.index.get(&r.uid).is_some_and(|&i| fps[i] == *fp))
    });
    if same {
        return Ok(());
    }
    Err(match after {
        Err(e) => e,
        Ok(_) => RtmError::StampChangedContent,
    })
}
