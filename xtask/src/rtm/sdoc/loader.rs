//! File loading: size-capped reads, `IMPORT_FROM_FILE` grammars and `[DOCUMENT_FROM_FILE]`
//! includes, with cycle and depth limits so a crafted tree cannot loop or blow the stack.

use std::fs;
use std::path::{Path, PathBuf};

use super::error::SdocError;
use super::grammar::{complete, parse_sgra};
use super::model::{Document, Node};
use super::validate::validate_nodes;
use super::{MAX_FILE_BYTES, MAX_INCLUDE_DEPTH, parse_unvalidated, too_large};

/// Reads, parses and validates `path`, its imported grammar and its includes (transitively).
pub fn load(path: &Path) -> Result<Document, SdocError> {
    let mut state = LoadState { chain: Vec::new(), included: Vec::new() };
    state.load(path)
}

struct LoadState {
    /// Canonical paths of the documents currently being loaded, outermost first.
    chain: Vec<PathBuf>,
    /// Canonical paths of every document included so far (each may be included once).
    included: Vec<PathBuf>,
}

fn read_limited(path: &Path) -> Result<String, SdocError> {
    let io_error = |e: std::io::Error| SdocError::new(path, 0, 0, "a readable UTF-8 file", e.to_string());
    let len = fs::metadata(path).map_err(io_error)?.len();
    if len > MAX_FILE_BYTES as u64 {
        return Err(too_large(path, usize::try_from(len).unwrap_or(usize::MAX)));
    }
    crate::fsx::read::read_text(path, MAX_FILE_BYTES as u64).map_err(io_error)
}

fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The 1-based line holding byte `offset`, and that line's text.
fn line_at(text: &str, offset: usize) -> (usize, &str) {
    let before = text.get(..offset).unwrap_or("");
    let no = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..).and_then(|t| t.split('\n').next()).unwrap_or("");
    (no, line.strip_suffix('\r').unwrap_or(line))
}

impl LoadState {
    fn load(&mut self, path: &Path) -> Result<Document, SdocError> {
        let text = read_limited(path)?;
        let mut doc = parse_unvalidated(path, &text)?;
        resolve_grammar(&mut doc)?;
        validate_nodes(path, &doc.text, &doc.grammar, &doc.nodes)?;
        self.chain.push(canonical(path));
        let nodes = std::mem::take(&mut doc.nodes);
        let mut includes = Vec::new();
        let spliced = self.splice(&doc, nodes, &mut includes);
        self.chain.pop();
        doc.nodes = spliced?;
        doc.includes = includes;
        Ok(doc)
    }

    /// Replaces include placeholders in `nodes` (at any depth) with the included nodes.
    fn splice(
        &mut self,
        doc: &Document,
        nodes: Vec<Node>,
        includes: &mut Vec<PathBuf>,
    ) -> Result<Vec<Node>, SdocError> {
        let mut out = Vec::with_capacity(nodes.len());
        for mut node in nodes {
            if node.tag != "DOCUMENT_FROM_FILE" {
                let children = std::mem::take(&mut node.children);
                node.children = self.splice(doc, children, includes)?;
                out.push(node);
                continue;
            }
            let included = self.include(doc, &node)?;
            includes.push(included.path.clone());
            includes.extend(included.includes);
            out.extend(included.nodes);
        }
        Ok(out)
    }

    fn include(&mut self, doc: &Document, node: &Node) -> Result<Document, SdocError> {
        let Some(field) = node.field("FILE") else {
            return Err(SdocError::new(&doc.path, node.line, 1, "`FILE: path.sdoc`", "no FILE field"));
        };
        let (line_no, line) = line_at(&doc.text, field.span.start);
        let at =
            |expected: &str, found: String| SdocError::new(&doc.path, line_no, 7, expected, found).with_snippet(line);
        let rel = Path::new(&field.value);
        if rel.extension().is_none_or(|e| e != "sdoc") {
            return Err(at("a path ending in `.sdoc`", format!("`{}`", field.value)));
        }
        if rel.is_absolute() {
            return Err(at("a path relative to the including document", format!("`{}`", field.value)));
        }
        let target = doc.path.parent().unwrap_or(Path::new("")).join(rel);
        if !target.is_file() {
            return Err(at("an existing document file", format!("`{}` (no such file)", target.display())));
        }
        let key = canonical(&target);
        if self.chain.contains(&key) {
            return Err(at(
                "a document that is not already being loaded",
                format!("a cycle: `{}` includes `{}`", doc.path.display(), target.display()),
            )
            .with_help(format!(
                "`{}` (directly or indirectly) includes `{}` again",
                target.display(),
                doc.path.display()
            )));
        }
        if self.chain.len() >= MAX_INCLUDE_DEPTH {
            return Err(at(
                &format!("at most {MAX_INCLUDE_DEPTH} levels of [DOCUMENT_FROM_FILE]"),
                "one level more".to_string(),
            ));
        }
        if self.included.contains(&key) {
            return Err(at("a document included only once", format!("`{}` included a second time", target.display())));
        }
        self.included.push(key);
        self.load(&target)
    }
}

/// Reads the `.sgra` named by `IMPORT_FROM_FILE` into `doc.grammar.elements`.
fn resolve_grammar(doc: &mut Document) -> Result<(), SdocError> {
    let Some(sgra) = doc.grammar.imported_from.clone() else { return Ok(()) };
    let alias = sgra.file_name().is_some_and(|n| n.to_string_lossy().starts_with('@'));
    if alias || !sgra.is_file() {
        let start = doc.grammar.span.map_or(0, |s| s.start);
        let (no, _) = line_at(&doc.text, start);
        let (_, line) =
            line_at(&doc.text, doc.text.get(start..).and_then(|t| t.find('\n')).map_or(start, |i| start + i + 1));
        return Err(SdocError::new(
            &doc.path,
            no + 1,
            19,
            "an existing grammar file",
            format!("`{}` (no such file)", sgra.display()),
        )
        .with_snippet(line)
        .with_help(if alias {
            "`@name` grammar aliases are defined in StrictDoc's Python project config, which this loader does not read"
        } else {
            "the .sgra file must sit in the same folder as the .sdoc"
        }));
    }
    let text = read_limited(&sgra)?;
    doc.grammar.elements = complete(parse_sgra(&sgra, &text)?);
    Ok(())
}
