//! A parser for StrictDoc `.sdoc` documents and `.sgra` grammars (StrictDoc 0.x syntax).
//!
//! [`parse_str`] checks one text without touching the file system; [`load`] also reads the
//! `IMPORT_FROM_FILE` grammar and splices `[DOCUMENT_FROM_FILE]` includes in place. Both report
//! the first problem as an [`SdocError`] with file, line and column, rendered rustc-style.
//!
//! Hostile input is bounded: files over [`MAX_FILE_BYTES`], nesting deeper than [`MAX_DEPTH`]
//! and include chains deeper than [`MAX_INCLUDE_DEPTH`] (or cyclic) are errors, never panics,
//! and nesting is parsed with an explicit stack.

// The public API returns `SdocError` by value (file, position, message, snippet); errors end a
// parse, so their size never sits on a hot path.
#![allow(clippy::result_large_err)]

mod body;
mod cursor;
mod error;
mod fields;
mod grammar;
mod header;
mod loader;
mod model;
mod validate;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod tests;

use std::path::Path;

pub use error::SdocError;
pub use grammar::{default_grammar, parse_sgra};
pub use loader::load;
pub use model::{
    Document, Field, FieldKind, Grammar, GrammarElement, GrammarField, Node, Relation, RelationKind, Span,
};

/// Deepest allowed nesting of composite nodes and sections.
pub const MAX_DEPTH: usize = 64;
/// Longest allowed chain of `[DOCUMENT_FROM_FILE]` includes.
pub const MAX_INCLUDE_DEPTH: usize = 16;
/// Largest `.sdoc` or `.sgra` file accepted.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Parses and validates one document without any file I/O.
///
/// `[DOCUMENT_FROM_FILE]` stays in `nodes` as a placeholder node (tag `DOCUMENT_FROM_FILE`, one
/// `FILE` field). With `IMPORT_FROM_FILE` the grammar is unknown here, so `grammar.elements` is
/// empty and nodes are checked for syntax only; use [`load`] for the full check.
pub fn parse_str(path: &Path, text: &str) -> Result<Document, SdocError> {
    let doc = parse_unvalidated(path, text)?;
    if doc.grammar.imported_from.is_none() {
        validate::validate_nodes(path, &doc.text, &doc.grammar, &doc.nodes)?;
    }
    Ok(doc)
}

/// Syntax only: header, grammar block and node tree, with no grammar checks on nodes.
fn parse_unvalidated(path: &Path, text: &str) -> Result<Document, SdocError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(too_large(path, text.len()));
    }
    let mut cur = cursor::Cursor::new(path, text);
    let header = header::parse_header(&mut cur)?;
    let grammar = parse_grammar(path, &mut cur)?;
    let nodes = body::Body::new(&mut cur).parse()?;
    Ok(Document {
        path: path.to_path_buf(),
        text: text.to_string(),
        title: header.title,
        uid: header.uid,
        header: header.fields,
        grammar,
        nodes,
        includes: Vec::new(),
    })
}

/// The `[GRAMMAR]` block that may follow the header after one blank line, else the default.
fn parse_grammar(path: &Path, cur: &mut cursor::Cursor<'_>) -> Result<Grammar, SdocError> {
    let mut ahead = cur.clone();
    let blank = ahead.next_line().is_some_and(|l| l.is_empty());
    if !blank || ahead.peek().is_none_or(|l| l.text != "[GRAMMAR]") {
        return Ok(grammar::default_grammar());
    }
    let (block, span) = grammar::parse_grammar_block(&mut ahead)?;
    *cur = ahead;
    Ok(match block {
        grammar::GrammarBlock::Elements(elements) => {
            Grammar { elements: grammar::complete(elements), imported_from: None, span: Some(span) }
        }
        grammar::GrammarBlock::Import(name) => {
            let dir = path.parent().unwrap_or(Path::new(""));
            Grammar { elements: Vec::new(), imported_from: Some(dir.join(name)), span: Some(span) }
        }
    })
}

fn too_large(path: &Path, len: usize) -> SdocError {
    SdocError::new(path, 0, 0, format!("a file of at most {MAX_FILE_BYTES} bytes"), format!("{len} bytes"))
}
