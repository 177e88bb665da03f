//! `[GRAMMAR]` blocks (inline or in a `.sgra` file) and StrictDoc's default grammar.

use std::path::Path;

use super::cursor::{Cursor, Line, describe};
use super::error::SdocError;
use super::fields::is_name;
use super::model::{FieldKind, Grammar, GrammarElement, GrammarField, RelationKind, Span};

/// What a `[GRAMMAR]` block holds before any import is resolved.
pub enum GrammarBlock {
    Elements(Vec<GrammarElement>),
    Import(String),
}

/// Parses from `[GRAMMAR]` up to (not including) the next blank line or end of file.
pub fn parse_grammar_block(cur: &mut Cursor<'_>) -> Result<(GrammarBlock, Span), SdocError> {
    let start = cur.offset();
    match cur.next_line() {
        Some(line) if line.text == "[GRAMMAR]" => {}
        Some(line) => return Err(cur.error_at(&line, 1, "`[GRAMMAR]`", describe(&line))),
        None => return Err(cur.error_eof("`[GRAMMAR]`")),
    }
    let Some(line) = cur.next_line() else {
        return Err(cur.error_eof("`ELEMENTS:` or `IMPORT_FROM_FILE: file.sgra`"));
    };
    let block = if line.text == "ELEMENTS:" {
        GrammarBlock::Elements(parse_elements(cur)?)
    } else if let Some(file) = line.text.strip_prefix("IMPORT_FROM_FILE: ") {
        check_import_name(cur, &line, file)?;
        GrammarBlock::Import(file.to_string())
    } else {
        return Err(cur.error_at(&line, 1, "`ELEMENTS:` or `IMPORT_FROM_FILE: file.sgra`", describe(&line)));
    };
    Ok((block, Span { start, end: cur.offset() }))
}

fn check_import_name(cur: &Cursor<'_>, line: &Line<'_>, file: &str) -> Result<(), SdocError> {
    if file.trim().is_empty() || file.starts_with(char::is_whitespace) {
        return Err(cur.error_at(line, 19, "a grammar file name", "nothing"));
    }
    if file.contains("..") || file.contains('/') || file.contains('\\') {
        return Err(cur
            .error_at(line, 19, "a file name in the document's folder", format!("`{file}`"))
            .with_help("StrictDoc forbids `..`, `/` and `\\` in IMPORT_FROM_FILE; keep the .sgra next to the .sdoc"));
    }
    Ok(())
}

/// Parses a whole `.sgra` file: `[GRAMMAR]`, `ELEMENTS:`, elements, then only blank lines.
pub fn parse_sgra(path: &Path, text: &str) -> Result<Vec<GrammarElement>, SdocError> {
    let mut cur = Cursor::new(path, text);
    let (block, _) = parse_grammar_block(&mut cur)?;
    let elements = match block {
        GrammarBlock::Elements(e) => e,
        GrammarBlock::Import(_) => {
            return Err(SdocError::new(path, 2, 1, "`ELEMENTS:`", "`IMPORT_FROM_FILE:`")
                .with_help("a .sgra file cannot import another grammar"));
        }
    };
    if !cur.rest_is_blank()
        && let Some(line) = cur.peek()
    {
        return Err(cur.error_at(&line, 1, "end of the grammar file", describe(&line)));
    }
    Ok(elements)
}

fn parse_elements(cur: &mut Cursor<'_>) -> Result<Vec<GrammarElement>, SdocError> {
    let mut elements: Vec<GrammarElement> = Vec::new();
    while let Some(line) = cur.peek() {
        if line.text.trim().is_empty() {
            break;
        }
        let element = parse_element(cur)?;
        if elements.iter().any(|e| e.tag == element.tag) {
            return Err(cur.error_at(&line, 8, "a tag not declared before", format!("a second `{}`", element.tag)));
        }
        elements.push(element);
    }
    if elements.is_empty() {
        return Err(match cur.peek() {
            Some(line) => cur.error_at(&line, 1, "a grammar element `- TAG: NAME`", describe(&line)),
            None => cur.error_eof("a grammar element `- TAG: NAME`"),
        });
    }
    Ok(elements)
}

fn parse_element(cur: &mut Cursor<'_>) -> Result<GrammarElement, SdocError> {
    let Some(line) = cur.next_line() else {
        return Err(cur.error_eof("a grammar element `- TAG: NAME`"));
    };
    let tag = line.text.strip_prefix("- TAG: ").filter(|t| is_name(t));
    let Some(tag) = tag else {
        return Err(cur.error_at(&line, 1, "a grammar element `- TAG: NAME` (upper-case name)", describe(&line)));
    };
    let mut element = GrammarElement {
        tag: tag.to_string(),
        fields: Vec::new(),
        relations: Vec::new(),
        composite: None,
        line: line.no,
    };
    if cur.peek().is_some_and(|l| l.text == "  PROPERTIES:") {
        cur.advance();
        parse_properties(cur, &mut element)?;
    }
    match cur.next_line() {
        Some(l) if l.text == "  FIELDS:" => {}
        Some(l) => return Err(cur.error_at(&l, 1, "`  FIELDS:`", describe(&l))),
        None => return Err(cur.error_eof("`  FIELDS:`")),
    }
    while cur.peek().is_some_and(|l| l.text.starts_with("  - ")) {
        let at = cur.peek();
        let field = parse_grammar_field(cur)?;
        if let Some(l) = at.filter(|_| element.field(&field.name).is_some()) {
            return Err(cur.error_at(
                &l,
                13,
                "a field not declared before in this element",
                format!("a second `{}`", field.name),
            ));
        }
        element.fields.push(field);
    }
    if element.fields.is_empty() {
        return Err(match cur.peek() {
            Some(l) => cur.error_at(&l, 1, "a grammar field `  - TITLE: NAME`", describe(&l)),
            None => cur.error_eof("a grammar field `  - TITLE: NAME`"),
        });
    }
    if cur.peek().is_some_and(|l| l.text == "  RELATIONS:") {
        cur.advance();
        parse_grammar_relations(cur, &mut element)?;
    }
    check_element(cur, &line, &element)?;
    Ok(element)
}

/// Rules StrictDoc applies to each element once it is read.
fn check_element(cur: &Cursor<'_>, line: &Line<'_>, element: &GrammarElement) -> Result<(), SdocError> {
    let has_content = ["TITLE", "STATEMENT", "DESCRIPTION", "CONTENT"].iter().any(|f| element.field(f).is_some());
    if !has_content {
        return Err(cur.error_at(
            line,
            8,
            "an element with a TITLE, STATEMENT, DESCRIPTION or CONTENT field",
            format!("`{}` without one", element.tag),
        ));
    }
    if element.tag == "SECTION" && element.composite == Some(false) {
        return Err(cur
            .error_at(line, 8, "the SECTION element declared as composite", "`IS_COMPOSITE: False`")
            .with_help("StrictDoc requires `IS_COMPOSITE: True` for SECTION"));
    }
    Ok(())
}

fn parse_properties(cur: &mut Cursor<'_>, element: &mut GrammarElement) -> Result<(), SdocError> {
    let mut count = 0;
    while let Some(line) = cur.peek() {
        let Some(rest) = line.text.strip_prefix("    ") else { break };
        let (key, value) = rest.split_once(": ").unwrap_or((rest, ""));
        let ok = match key {
            "IS_COMPOSITE" => match value {
                "True" => {
                    element.composite = Some(true);
                    true
                }
                "False" => {
                    element.composite = Some(false);
                    true
                }
                _ => false,
            },
            "PREFIX" => !value.trim().is_empty(),
            "VIEW_STYLE" => ["Plain", "Narrative", "Simple", "Inline", "Table", "Zebra"].contains(&value),
            _ => false,
        };
        if !ok {
            return Err(cur.error_at(
                &line,
                5,
                "`IS_COMPOSITE: True|False`, `PREFIX: ...` or `VIEW_STYLE: ...`",
                describe(&line),
            ));
        }
        count += 1;
        cur.advance();
    }
    if count == 0 {
        return Err(match cur.peek() {
            Some(l) => cur.error_at(&l, 1, "a property `    KEY: value`", describe(&l)),
            None => cur.error_eof("a property `    KEY: value`"),
        });
    }
    Ok(())
}

fn expect_line<'a>(cur: &mut Cursor<'a>, prefix: &str, what: &str) -> Result<(Line<'a>, &'a str), SdocError> {
    match cur.next_line() {
        Some(l) => match l.text.strip_prefix(prefix) {
            Some(rest) => Ok((l, rest)),
            None => Err(cur.error_at(&l, 1, what.to_string(), describe(&l))),
        },
        None => Err(cur.error_eof(what.to_string())),
    }
}

fn parse_grammar_field(cur: &mut Cursor<'_>) -> Result<GrammarField, SdocError> {
    let (line, name) = expect_line(cur, "  - TITLE: ", "a grammar field `  - TITLE: NAME`")?;
    if !is_name(name) {
        return Err(cur.error_at(&line, 13, "an upper-case field name `[A-Z][A-Z0-9_]*`", format!("`{name}`")));
    }
    if cur.peek().is_some_and(|l| l.text.starts_with("    HUMAN_TITLE: ")) {
        let (l, human) = expect_line(cur, "    HUMAN_TITLE: ", "`    HUMAN_TITLE: ...`")?;
        if human.trim().is_empty() || human.starts_with(char::is_whitespace) {
            return Err(cur.error_at(&l, 18, "a human-readable title", "nothing"));
        }
    }
    let (type_line, type_text) =
        expect_line(cur, "    TYPE: ", "`    TYPE: String|SingleChoice(...)|MultipleChoice(...)|Tag`")?;
    let kind = parse_field_kind(type_text).ok_or_else(|| {
        cur.error_at(
            &type_line,
            11,
            "`String`, `SingleChoice(A, B)`, `MultipleChoice(A, B)`, `Tag` or `Reference(...)`",
            format!("`{type_text}`"),
        )
    })?;
    let (req_line, req) = expect_line(cur, "    REQUIRED: ", "`    REQUIRED: True|False`")?;
    let required = match req {
        "True" => true,
        "False" => false,
        _ => return Err(cur.error_at(&req_line, 15, "`True` or `False`", format!("`{req}`"))),
    };
    Ok(GrammarField { name: name.to_string(), kind, required })
}

fn parse_field_kind(text: &str) -> Option<FieldKind> {
    match text {
        "String" => return Some(FieldKind::String),
        "Tag" => return Some(FieldKind::Tag),
        _ => {}
    }
    let (name, rest) = text.split_once('(')?;
    let inner = rest.strip_suffix(')')?;
    let options = split_options(inner)?;
    match name {
        "SingleChoice" => Some(FieldKind::SingleChoice(options)),
        "MultipleChoice" => Some(FieldKind::MultipleChoice(options)),
        "Reference" => {
            let known = ["ParentReqReference", "ChildReqReference", "FileReference", "BibReference"];
            options.iter().all(|o| known.contains(&o.as_str())).then_some(FieldKind::Reference(options))
        }
        _ => None,
    }
}

/// Splits `A, B, "C, with comma"` into options; quoted options may hold any character but `"`.
fn split_options(mut inner: &str) -> Option<Vec<String>> {
    let plain_ok = |o: &str| {
        !o.is_empty()
            && !o.starts_with(' ')
            && !o.ends_with(' ')
            && o.chars().all(|c| c.is_alphanumeric() || "_/- ".contains(c))
    };
    let mut options = Vec::new();
    loop {
        let (option, rest) = match inner.strip_prefix('"') {
            Some(q) => {
                let close = q.find('"')?;
                (q.get(..close)?, q.get(close + 1..)?)
            }
            None => {
                let end = inner.find(", ").unwrap_or(inner.len());
                let option = inner.get(..end)?;
                if !plain_ok(option) {
                    return None;
                }
                (option, inner.get(end..)?)
            }
        };
        options.push(option.to_string());
        if rest.is_empty() {
            return Some(options);
        }
        inner = rest.strip_prefix(", ")?;
    }
}

fn parse_grammar_relations(cur: &mut Cursor<'_>, element: &mut GrammarElement) -> Result<(), SdocError> {
    while let Some(line) = cur.peek() {
        if !line.text.starts_with("  - ") {
            break;
        }
        let (line, kind_text) = expect_line(cur, "  - TYPE: ", "a relation `  - TYPE: Parent|Child|File`")?;
        let Some(kind) = RelationKind::from_name(kind_text) else {
            return Err(cur.error_at(&line, 11, "`Parent`, `Child` or `File`", format!("`{kind_text}`")));
        };
        let mut role = None;
        if cur.peek().is_some_and(|l| l.text.starts_with("    ROLE: ")) {
            let (l, r) = expect_line(cur, "    ROLE: ", "`    ROLE: name`")?;
            if r.trim().is_empty() {
                return Err(cur.error_at(&l, 11, "a role name", "nothing"));
            }
            role = Some(r.to_string());
        }
        element.relations.push((kind, role));
    }
    if element.relations.is_empty() {
        return Err(match cur.peek() {
            Some(l) => cur.error_at(&l, 1, "a relation `  - TYPE: Parent|Child|File`", describe(&l)),
            None => cur.error_eof("a relation `  - TYPE: Parent|Child|File`"),
        });
    }
    Ok(())
}

fn string_field(name: &str, required: bool) -> GrammarField {
    GrammarField { name: name.to_string(), kind: FieldKind::String, required }
}

fn element(tag: &str, fields: Vec<GrammarField>, composite: Option<bool>) -> GrammarElement {
    GrammarElement { tag: tag.to_string(), fields, relations: Vec::new(), composite, line: 0 }
}

pub fn default_section() -> GrammarElement {
    let fields = vec![
        string_field("MID", false),
        string_field("UID", false),
        string_field("LEVEL", false),
        string_field("PREFIX", false),
        string_field("TITLE", true),
    ];
    element("SECTION", fields, Some(true))
}

pub fn default_text() -> GrammarElement {
    let fields = vec![string_field("MID", false), string_field("UID", false), string_field("STATEMENT", true)];
    element("TEXT", fields, None)
}

/// The fields and order the legacy `[SECTION]` … `[/SECTION]` form accepts.
pub fn legacy_section() -> GrammarElement {
    let fields = vec![
        string_field("MID", false),
        string_field("UID", false),
        string_field("LEVEL", false),
        string_field("TITLE", true),
        string_field("REQ_PREFIX", false),
        string_field("PREFIX", false),
    ];
    element("SECTION", fields, Some(true))
}

fn default_relations() -> Vec<(RelationKind, Option<String>)> {
    vec![(RelationKind::Parent, None), (RelationKind::File, None)]
}

/// StrictDoc's built-in grammar, used when a document declares none.
pub fn default_grammar() -> Grammar {
    let names = ["MID", "UID", "LEVEL", "STATUS", "TAGS", "TITLE", "STATEMENT", "RATIONALE", "COMMENT"];
    let mut requirement = element("REQUIREMENT", names.iter().map(|n| string_field(n, false)).collect(), None);
    requirement.relations = default_relations();
    Grammar { elements: vec![default_section(), default_text(), requirement], imported_from: None, span: None }
}

/// Completes a user grammar the way StrictDoc does: elements without `RELATIONS:` get Parent and
/// File, and SECTION/TEXT fall back to the defaults when not declared.
pub fn complete(mut elements: Vec<GrammarElement>) -> Vec<GrammarElement> {
    for e in &mut elements {
        if e.relations.is_empty() {
            e.relations = default_relations();
        }
    }
    if !elements.iter().any(|e| e.tag == "TEXT") {
        elements.insert(0, default_text());
    }
    if !elements.iter().any(|e| e.tag == "SECTION") {
        elements.insert(0, default_section());
    }
    elements
}
