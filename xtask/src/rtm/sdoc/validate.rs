//! Checks nodes against their document's grammar: known tags, composite-ness, field set and
//! order, choice values, and registered relation types. Mirrors StrictDoc's semantic errors.

use std::path::Path;

use super::error::SdocError;
use super::fields::is_valid_uid;
use super::grammar::legacy_section;
use super::model::{Field, FieldKind, Grammar, GrammarElement, GrammarField, Node};

/// Validates `nodes` (recursively; depth is bounded by the parser's nesting limit).
pub fn validate_nodes(file: &Path, text: &str, grammar: &Grammar, nodes: &[Node]) -> Result<(), SdocError> {
    let legacy = legacy_section();
    for node in nodes {
        let v = Validator { file, text, node };
        if node.tag == "DOCUMENT_FROM_FILE" {
            continue;
        }
        let element = if node.composite && node.tag == "SECTION" && is_legacy(text, node) {
            &legacy
        } else {
            v.element(grammar)?
        };
        v.fields(element)?;
        v.relations(element)?;
        validate_nodes(file, text, grammar, &node.children)?;
    }
    Ok(())
}

fn is_legacy(text: &str, node: &Node) -> bool {
    text.get(node.span.start..).is_some_and(|t| t.starts_with("[SECTION]"))
}

struct Validator<'a> {
    file: &'a Path,
    text: &'a str,
    node: &'a Node,
}

impl<'a> Validator<'a> {
    fn line_text(&self, start: usize) -> &'a str {
        let rest = self.text.get(start..).unwrap_or("");
        let body = rest.split('\n').next().unwrap_or("");
        body.strip_suffix('\r').unwrap_or(body)
    }

    fn at_node(&self, expected: impl Into<String>, found: impl Into<String>) -> SdocError {
        let snippet = self.line_text(self.node.span.start);
        SdocError::new(self.file, self.node.line, 1, expected, found).with_snippet(snippet)
    }

    fn at_field(&self, field: &Field, col: usize, expected: impl Into<String>, found: impl Into<String>) -> SdocError {
        let snippet = self.line_text(field.span.start);
        SdocError::new(self.file, field.line, col, expected, found).with_snippet(snippet)
    }

    fn element(&self, grammar: &'a Grammar) -> Result<&'a GrammarElement, SdocError> {
        let node = self.node;
        let shown = if node.composite { format!("`[[{}]]`", node.tag) } else { format!("`[{}]`", node.tag) };
        let Some(element) = grammar.element(&node.tag) else {
            let tags: Vec<&str> = grammar.elements.iter().map(|e| e.tag.as_str()).collect();
            return Err(self
                .at_node("a node type declared by the grammar", shown)
                .with_help(format!("the grammar declares: {}", tags.join(", "))));
        };
        if node.composite && element.composite == Some(false) {
            return Err(self
                .at_node(format!("`[{}]` (the grammar declares it non-composite)", node.tag), shown)
                .with_help("declare `IS_COMPOSITE: True` under PROPERTIES to nest nodes in it"));
        }
        if !node.composite && element.composite == Some(true) {
            return Err(self.at_node(
                format!("`[[{}]]` … `[[/{}]]` (the grammar declares it composite)", node.tag, node.tag),
                shown,
            ));
        }
        Ok(element)
    }

    fn fields(&self, element: &GrammarElement) -> Result<(), SdocError> {
        let mut next = 0;
        let mut seen = vec![false; element.fields.len()];
        for (i, field) in self.node.fields.iter().enumerate() {
            // StrictDoc accepts a machine identifier first on any node, declared or not.
            if field.name == "MID" && element.field("MID").is_none() && i == 0 {
                check_single_line(self, field)?;
                continue;
            }
            let Some(idx) = element.fields.iter().position(|g| g.name == field.name) else {
                let names: Vec<&str> = element.fields.iter().map(|g| g.name.as_str()).collect();
                return Err(self
                    .at_field(field, 1, format!("a field of `{}`", element.tag), format!("`{}`", field.name))
                    .with_help(format!("`{}` fields, in order: {}", element.tag, names.join(", "))));
            };
            // StrictDoc accepts a field repeated back to back (e.g. several COMMENTs), not later.
            let repeat = seen.get(idx).copied().unwrap_or(false);
            if repeat && idx + 1 != next {
                return Err(self.at_field(
                    field,
                    1,
                    "a repeated field right after its previous value",
                    format!("a second `{}`", field.name),
                ));
            }
            if idx < next && !repeat {
                let names: Vec<&str> = element.fields.iter().map(|g| g.name.as_str()).collect();
                return Err(self
                    .at_field(
                        field,
                        1,
                        format!("fields in the grammar's order for `{}`", element.tag),
                        format!("`{}` out of order", field.name),
                    )
                    .with_help(format!("`{}` fields, in order: {}", element.tag, names.join(", "))));
            }
            if let Some(s) = seen.get_mut(idx) {
                *s = true;
            }
            next = idx + 1;
            if let Some(g) = element.fields.get(idx) {
                check_value(self, field, g)?;
            }
        }
        for (g, seen) in element.fields.iter().zip(&seen) {
            if g.required && !seen {
                return Err(self
                    .at_node(format!("the required field `{}`", g.name), "a node without it")
                    .with_help(format!("the grammar marks `{}` of `{}` as REQUIRED: True", g.name, element.tag)));
            }
        }
        Ok(())
    }

    fn relations(&self, element: &GrammarElement) -> Result<(), SdocError> {
        for rel in &self.node.relations {
            let registered = element.relations.iter().any(|(k, r)| *k == rel.kind && *r == rel.role);
            if registered {
                continue;
            }
            let known: Vec<String> = element
                .relations
                .iter()
                .map(|(k, r)| r.as_ref().map_or(k.as_str().to_string(), |r| format!("{} ({r})", k.as_str())))
                .collect();
            let found = rel
                .role
                .as_ref()
                .map_or(format!("`{}`", rel.kind.as_str()), |r| format!("`{}` with role `{r}`", rel.kind.as_str()));
            let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            let snippet = self.text.split('\n').nth(rel.line.saturating_sub(1)).unwrap_or("");
            let snippet = snippet.strip_suffix('\r').unwrap_or(snippet);
            return Err(SdocError::new(
                self.file,
                rel.line,
                1,
                format!("a relation registered for `{}`", element.tag),
                found,
            )
            .with_snippet(snippet)
            .with_help(format!("`{}` registers: {known}", element.tag)));
        }
        Ok(())
    }
}

fn check_single_line(v: &Validator<'_>, field: &Field) -> Result<(), SdocError> {
    if field.multiline {
        return Err(v.at_field(
            field,
            field.name.len() + 3,
            format!("a single-line value for `{}`", field.name),
            "`>>>`",
        ));
    }
    Ok(())
}

/// StrictDoc accepts these in choice fields while a value is still being decided.
fn is_placeholder(value: &str) -> bool {
    value == "TBD" || value == "TBC"
}

fn check_value(v: &Validator<'_>, field: &Field, g: &GrammarField) -> Result<(), SdocError> {
    let col = field.name.len() + 3;
    let value = field.value.as_str();
    match &g.kind {
        FieldKind::String if field.name == "UID" => {
            check_single_line(v, field)?;
            if !is_valid_uid(value) {
                return Err(v.at_field(
                    field,
                    col,
                    "a UID (letters, digits, `_-./:()` and spaces)",
                    format!("`{value}`"),
                ));
            }
        }
        FieldKind::String if field.name == "MID" => check_single_line(v, field)?,
        FieldKind::String | FieldKind::Reference(_) => {}
        FieldKind::SingleChoice(options) => {
            check_single_line(v, field)?;
            if !options.iter().any(|o| o == value) && !is_placeholder(value) {
                return Err(v
                    .at_field(field, col, format!("one of {}", options.join(", ")), format!("`{value}`"))
                    .with_help(format!("`{}` is SingleChoice", g.name)));
            }
        }
        FieldKind::MultipleChoice(options) => {
            check_single_line(v, field)?;
            let bad = value.split(", ").find(|part| !options.iter().any(|o| o == part) && !is_placeholder(part));
            if let Some(bad) = bad {
                return Err(v
                    .at_field(
                        field,
                        col,
                        format!("a `, `-separated list of {}", options.join(", ")),
                        format!("`{bad}`"),
                    )
                    .with_help(format!("`{}` is MultipleChoice; separate values with a comma and a space", g.name)));
            }
        }
        FieldKind::Tag => {
            check_single_line(v, field)?;
            let tag_ok = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || "_-./".contains(c));
            if let Some(bad) = value.split(", ").find(|t| !tag_ok(t)) {
                return Err(v.at_field(
                    field,
                    col,
                    "a `, `-separated list of tags (letters, digits, `_-./`)",
                    format!("`{bad}`"),
                ));
            }
        }
    }
    Ok(())
}
