//! The node tree after the header and grammar. Nesting is tracked on an explicit stack, so a
//! hostile file can make the parser fail but never overflow the call stack.

use std::path::Path;
use std::sync::Arc;

use super::MAX_DEPTH;
use super::cursor::{Cursor, Line, describe};
use super::error::SdocError;
use super::fields::{find_links, is_name, looks_like_field, parse_field, parse_relations};
use super::model::{Node, Span};

/// What a node-opening or closing line is.
enum Head<'a> {
    Leaf(&'a str),
    Open(&'a str),
    Close(&'a str),
    LegacySection,
    LegacySectionEnd,
    Include,
}

fn classify<'a>(text: &'a str) -> Option<Head<'a>> {
    if let Some(inner) = text.strip_prefix("[[").and_then(|t| t.strip_suffix("]]")) {
        return match inner.strip_prefix('/') {
            Some(tag) if is_name(tag) => Some(Head::Close(tag)),
            None if is_name(inner) => Some(Head::Open(inner)),
            _ => None,
        };
    }
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    match inner {
        "SECTION" => Some(Head::LegacySection),
        "/SECTION" => Some(Head::LegacySectionEnd),
        "DOCUMENT_FROM_FILE" => Some(Head::Include),
        "DOCUMENT" | "GRAMMAR" | "FREETEXT" => None,
        _ if is_name(inner) => Some(Head::Leaf(inner)),
        _ => None,
    }
}

fn node_help(text: &str) -> &'static str {
    match text {
        "[GRAMMAR]" => "[GRAMMAR] must come right after the [DOCUMENT] header, separated by one blank line",
        "[DOCUMENT]" => "a file holds exactly one [DOCUMENT]; include others with [DOCUMENT_FROM_FILE]",
        "[FREETEXT]" => "legacy [FREETEXT] is not supported; use a [TEXT] node with a STATEMENT field",
        _ => "nodes look like `[TAG]`, `[[TAG]]` … `[[/TAG]]`, `[SECTION]` … `[/SECTION]` or `[DOCUMENT_FROM_FILE]`",
    }
}

/// An open composite node or legacy section waiting for its closing line.
struct Open {
    node: Node,
    legacy: bool,
}

pub struct Body<'c, 'a> {
    cur: &'c mut Cursor<'a>,
    stack: Vec<Open>,
    top: Vec<Node>,
    file: Arc<Path>,
}

impl<'c, 'a> Body<'c, 'a> {
    pub fn new(cur: &'c mut Cursor<'a>) -> Self {
        Body { file: Arc::from(cur.file), cur, stack: Vec::new(), top: Vec::new() }
    }

    /// Parses nodes until end of input; each node is preceded by exactly one blank line.
    pub fn parse(mut self) -> Result<Vec<Node>, SdocError> {
        while self.separator()? {
            let Some(line) = self.cur.peek() else { break };
            match classify(line.text) {
                Some(Head::Leaf(tag)) => {
                    let node = self.node_head(&line, tag, false)?;
                    self.push(node);
                }
                Some(Head::Include) => {
                    let node = self.include(&line)?;
                    self.push(node);
                }
                Some(Head::Open(tag)) => self.open(&line, tag, false)?,
                Some(Head::LegacySection) => self.open(&line, "SECTION", true)?,
                Some(Head::Close(tag)) => self.close(&line, tag, false)?,
                Some(Head::LegacySectionEnd) => self.close(&line, "SECTION", true)?,
                None => {
                    return Err(self
                        .cur
                        .error_at(&line, 1, "a node such as `[REQUIREMENT]` or a closing tag", describe(&line))
                        .with_help(node_help(line.text)));
                }
            }
        }
        if let Some(open) = self.stack.last() {
            let close = if open.legacy { "[/SECTION]".to_string() } else { format!("[[/{}]]", open.node.tag) };
            return Err(self
                .cur
                .error_eof(format!("`{close}`"))
                .with_help(format!("the node was opened on line {}", open.node.line)));
        }
        self.top.shrink_to_fit();
        Ok(self.top)
    }

    /// Consumes the blank line before the next node; false at a clean end of input.
    fn separator(&mut self) -> Result<bool, SdocError> {
        let Some(line) = self.cur.peek() else { return Ok(false) };
        if !line.is_empty() {
            let expected = if looks_like_field(&line) {
                "a blank line (fields must follow the node's grammar)"
            } else {
                "a blank line before the next node"
            };
            return Err(self.cur.error_at(&line, 1, expected, describe(&line)));
        }
        self.cur.advance();
        match self.cur.peek() {
            None => Ok(false),
            Some(next) if next.text.trim().is_empty() => {
                if self.cur.rest_is_blank() {
                    return Ok(false);
                }
                Err(self
                    .cur
                    .error_at(&next, 1, "a node after one blank line", describe(&next))
                    .with_help("StrictDoc requires exactly one blank line between nodes"))
            }
            Some(_) => Ok(true),
        }
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(open) => open.node.children.push(node),
            None => self.top.push(node),
        }
    }

    /// Reads the tag line, fields and relations of a node; children are read by `parse`.
    fn node_head(&mut self, line: &Line<'_>, tag: &str, composite: bool) -> Result<Node, SdocError> {
        self.cur.advance();
        let mut node = Node {
            tag: tag.to_string(),
            composite,
            file: Arc::clone(&self.file),
            line: line.no,
            col: 1,
            span: Span { start: line.start, end: line.end },
            fields: Vec::new(),
            relations: Vec::new(),
            links: Vec::new(),
            children: Vec::new(),
        };
        while let Some(next) = self.cur.peek() {
            if next.text == "RELATIONS:" {
                node.relations = parse_relations(self.cur)?;
                break;
            }
            if !looks_like_field(&next) {
                break;
            }
            let field = parse_field(self.cur)?;
            node.links.extend(find_links(&field));
            node.fields.push(field);
        }
        self.check_node_end(&node)?;
        // A node lives as long as the whole parse: a growth margin left in its lists was most
        // of a 200,000-node document's memory (issue #19).
        node.fields.shrink_to_fit();
        node.relations.shrink_to_fit();
        node.links.shrink_to_fit();
        node.span.end = self.cur.offset();
        Ok(node)
    }

    /// A node ends at a blank line or end of input; say what else could have come instead.
    fn check_node_end(&self, node: &Node) -> Result<(), SdocError> {
        let Some(next) = self.cur.peek().filter(|l| !l.is_empty()) else { return Ok(()) };
        let (expected, help) = if node.relations.is_empty() {
            ("a field `NAME: value`, `RELATIONS:` or a blank line", "field names are upper-case: `[A-Z][A-Z0-9_]*`")
        } else {
            ("a relation `- TYPE: ...` or a blank line", "`RELATIONS:` must be the last item of a node")
        };
        Err(self.cur.error_at(&next, 1, expected, describe(&next)).with_help(help))
    }

    fn include(&mut self, line: &Line<'_>) -> Result<Node, SdocError> {
        let node = self.node_head(line, "DOCUMENT_FROM_FILE", false)?;
        let bad = node.fields.iter().find(|f| f.name != "FILE" || f.multiline);
        if let Some(field) = bad.or(node.fields.get(1)) {
            return Err(SdocError::new(
                self.cur.file,
                field.line,
                1,
                "only `FILE: path.sdoc`",
                format!("`{}`", field.name),
            ));
        }
        if let Some(rel) = node.relations.first() {
            return Err(SdocError::new(self.cur.file, rel.line, 1, "only `FILE: path.sdoc`", "`RELATIONS:`"));
        }
        Ok(node)
    }

    fn open(&mut self, line: &Line<'_>, tag: &str, legacy: bool) -> Result<(), SdocError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self
                .cur
                .error_at(line, 1, format!("at most {MAX_DEPTH} levels of nesting"), "one level more")
                .with_help("flatten the document or split it with [DOCUMENT_FROM_FILE]"));
        }
        let node = self.node_head(line, tag, true)?;
        self.stack.push(Open { node, legacy });
        Ok(())
    }

    fn close(&mut self, line: &Line<'_>, tag: &str, legacy: bool) -> Result<(), SdocError> {
        let matches = self.stack.last().is_some_and(|o| o.legacy == legacy && o.node.tag == tag);
        if !matches {
            let expected = match self.stack.last() {
                Some(o) if o.legacy => "`[/SECTION]`".to_string(),
                Some(o) => format!("`[[/{}]]`", o.node.tag),
                None => "a node (nothing is open to close)".to_string(),
            };
            return Err(self.cur.error_at(line, 1, expected, describe(line)));
        }
        self.cur.advance();
        if let Some(mut open) = self.stack.pop() {
            open.node.span.end = line.end;
            open.node.children.shrink_to_fit();
            self.push(open.node);
        }
        Ok(())
    }
}
