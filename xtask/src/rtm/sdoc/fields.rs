//! Node fields (`NAME: value`, `NAME: >>>` … `<<<`), the `RELATIONS:` list and `[LINK: UID]`
//! references. These are the places where StrictDoc's "no empty strings" rule bites.

use super::cursor::{Cursor, Line, col_of, describe};
use super::error::SdocError;
use super::model::{Field, Relation, RelationKind, Span};

/// Length in bytes of a leading `[A-Z][A-Z0-9_]*` name, or 0.
pub fn name_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_uppercase) {
        return 0;
    }
    bytes.iter().take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'_').count()
}

pub fn is_name(text: &str) -> bool {
    !text.is_empty() && name_len(text) == text.len()
}

/// True when `line` starts like a field (`NAME:`); used to decide who reports an odd line.
pub fn looks_like_field(line: &Line<'_>) -> bool {
    let n = name_len(line.text);
    n > 0 && line.text.as_bytes().get(n) == Some(&b':')
}

/// StrictDoc's UID pattern: `\w[\w()\-/.: ]*`.
pub fn is_valid_uid(value: &str) -> bool {
    let mut chars = value.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphanumeric() || c == '_');
    first_ok && chars.all(|c| c.is_alphanumeric() || "_()-/.: ".contains(c))
}

/// Parses the value after `NAME:` on a single-line field, returning it or the error.
fn single_value<'a>(cur: &Cursor<'_>, line: &Line<'a>, name_end: usize) -> Result<&'a str, SdocError> {
    let after = line.text.get(name_end + 1..).unwrap_or("");
    let col = col_of(line.text, name_end + 1);
    let name = line.text.get(..name_end).unwrap_or("");
    let Some(value) = after.strip_prefix(' ') else {
        let found = after.chars().next().map_or("end of line".to_string(), |c| format!("`{c}`"));
        return Err(cur
            .error_at(line, col, format!("`>>>` or a value after `{name}:`"), found)
            .with_help("write `NAME: value` with one space after the colon, or `NAME: >>>` for multi-line text"));
    };
    match value.chars().next() {
        None => Err(cur
            .error_at(line, col + 1, format!("`>>>` or a value after `{name}: `"), "end of line")
            .with_help("StrictDoc does not allow empty fields; remove the field or write a value (e.g. TBD)")),
        Some(c) if c.is_whitespace() => Err(cur
            .error_at(
                line,
                col + 1,
                format!("a value starting with a non-space character after `{name}: `"),
                "whitespace",
            )
            .with_help("exactly one space separates the colon from the value")),
        Some(_) => Ok(value),
    }
}

/// Parses one field starting at the cursor's current line (which `looks_like_field`).
pub fn parse_field(cur: &mut Cursor<'_>) -> Result<Field, SdocError> {
    let Some(line) = cur.next_line() else {
        return Err(cur.error_eof("a field"));
    };
    let name_end = name_len(line.text);
    let name = line.text.get(..name_end).unwrap_or("").to_string();
    if line.text.get(name_end..) == Some(": >>>") {
        return parse_multiline(cur, &line, name);
    }
    let value = single_value(cur, &line, name_end)?.to_string();
    Ok(Field { name, value, multiline: false, line: line.no, span: Span { start: line.start, end: line.end } })
}

fn parse_multiline(cur: &mut Cursor<'_>, open: &Line<'_>, name: String) -> Result<Field, SdocError> {
    let content_start = cur.offset();
    let mut content_end = content_start;
    let mut has_text = false;
    loop {
        let Some(line) = cur.next_line() else {
            return Err(cur
                .error_eof(format!("`<<<` closing the multi-line `{name}`"))
                .with_help(format!("the multi-line value was opened with `>>>` on line {}", open.no)));
        };
        if line.text == "<<<" {
            if !has_text {
                return Err(cur
                    .error_at(&line, 1, format!("text inside the multi-line `{name}`"), "`<<<`")
                    .with_help("StrictDoc does not allow empty fields; remove the field or write a value (e.g. TBD)"));
            }
            let text = cur.text();
            let raw = text.get(content_start..content_end).unwrap_or("");
            let value = raw.strip_suffix('\n').unwrap_or(raw);
            let value = value.strip_suffix('\r').unwrap_or(value).to_string();
            let span = Span { start: open.start, end: line.end };
            return Ok(Field { name, value, multiline: true, line: open.no, span });
        }
        if line.text.starts_with("<<<") {
            return Err(cur
                .error_at(&line, 4, "end of line after `<<<`", describe(&line))
                .with_help("the closing `<<<` must stand alone on its line"));
        }
        if line.text.starts_with("[ANCHOR: ") {
            check_anchor(cur, &line)?;
        }
        has_text |= !line.text.trim().is_empty();
        content_end = line.end;
    }
}

/// An `[ANCHOR: UID]` or `[ANCHOR: UID, Title]` line; a title with a comma must be quoted.
fn check_anchor(cur: &Cursor<'_>, line: &Line<'_>) -> Result<(), SdocError> {
    let text = line.text;
    let uid_len = text.get(9..).unwrap_or("").find([',', ']']).unwrap_or(text.len().saturating_sub(9));
    let uid = text.get(9..9 + uid_len).unwrap_or("");
    if !is_valid_uid(uid) {
        return Err(cur.error_at(line, 10, "an anchor UID", format!("`{uid}`")));
    }
    let mut pos = 9 + uid_len;
    if let Some(title) = text.get(pos..).and_then(|t| t.strip_prefix(", ")) {
        let len = match title.strip_prefix('"') {
            Some(q) => q.find('"').map_or(title.len(), |i| i + 2),
            None => title.find([',', ']']).unwrap_or(title.len()),
        };
        if len == 0 {
            return Err(cur.error_at(line, col_of(text, pos + 2), "an anchor title", describe(line)));
        }
        pos += 2 + len;
    }
    if text.get(pos..) != Some("]") {
        let found =
            text.get(pos..).and_then(|r| r.chars().next()).map_or("end of line".to_string(), |c| format!("`{c}`"));
        return Err(cur
            .error_at(line, col_of(text, pos), "`]` closing the anchor, then end of line", found)
            .with_help("quote anchor titles that contain commas: [ANCHOR: UID, \"Title, with comma\"]"));
    }
    Ok(())
}

/// Parses a `RELATIONS:` block; the cursor is on the `RELATIONS:` line.
pub fn parse_relations(cur: &mut Cursor<'_>) -> Result<Vec<Relation>, SdocError> {
    let head = cur.next_line();
    let mut relations = Vec::new();
    while let Some(line) = cur.peek() {
        if !line.text.starts_with("- ") {
            break;
        }
        relations.push(parse_relation(cur)?);
    }
    if relations.is_empty() {
        return Err(match cur.peek() {
            Some(line) => cur.error_at(&line, 1, "a relation `- TYPE: Parent|Child|File`", describe(&line)),
            None => cur.error_eof("a relation `- TYPE: Parent|Child|File`"),
        }
        .with_help(format!("`RELATIONS:` on line {} needs at least one entry", head.map_or(0, |l| l.no))));
    }
    Ok(relations)
}

fn parse_relation(cur: &mut Cursor<'_>) -> Result<Relation, SdocError> {
    let Some(line) = cur.next_line() else {
        return Err(cur.error_eof("a relation"));
    };
    let kind_text = line.text.strip_prefix("- TYPE: ").unwrap_or("");
    let Some(kind) = RelationKind::from_name(kind_text) else {
        let col = if line.text.starts_with("- TYPE: ") { 9 } else { 3 };
        let found = if col == 9 { format!("`{kind_text}`") } else { describe(&line) };
        return Err(cur.error_at(&line, col, "`- TYPE: Parent`, `- TYPE: Child` or `- TYPE: File`", found));
    };
    let mut value = None;
    let mut role = None;
    while let Some(sub) = cur.peek() {
        let Some(rest) = sub.text.strip_prefix("  ") else { break };
        let key_len = name_len(rest);
        let key = rest.get(..key_len).unwrap_or("");
        let val = rest.get(key_len..).and_then(|r| r.strip_prefix(": "));
        let allowed = match kind {
            RelationKind::File => key_len > 0,
            _ => key == "VALUE" || key == "ROLE",
        };
        let Some(val) = val.filter(|v| allowed && !v.trim().is_empty()) else {
            let expected =
                if kind == RelationKind::File { "`  KEY: value`" } else { "`  VALUE: UID` or `  ROLE: name`" };
            return Err(cur.error_at(&sub, 3, expected, describe(&sub)));
        };
        // File relations may name their target with PATH instead of VALUE.
        let is_value = key == "VALUE" || (kind == RelationKind::File && key == "PATH");
        match key {
            _ if is_value && value.is_none() => value = Some(val.to_string()),
            _ if is_value => return Err(cur.error_at(&sub, 3, "one `VALUE` (or `PATH`)", format!("a second `{key}`"))),
            "ROLE" if role.is_none() => role = Some(val.to_string()),
            "VALUE" | "ROLE" => {
                return Err(cur.error_at(&sub, 3, "each relation key once", format!("a second `{key}`")));
            }
            _ => {}
        }
        cur.advance();
    }
    let Some(value) = value else {
        return Err(cur
            .error_at(&line, 1, "a `  VALUE:` line in this relation", "no value")
            .with_help("write the target UID (or path for `File`) on `  VALUE: ...` under `- TYPE:`"));
    };
    Ok(Relation { kind, value, role, line: line.no })
}

/// `[LINK: UID]` references in a field value, with the 1-based line each sits on.
pub fn find_links(field: &Field) -> Vec<(String, usize)> {
    let first_line = if field.multiline { field.line + 1 } else { field.line };
    let mut links = Vec::new();
    for (i, text) in field.value.split('\n').enumerate() {
        let mut rest = text;
        while let Some(pos) = rest.find("[LINK: ") {
            let after = rest.get(pos + 7..).unwrap_or("");
            match after.find(']') {
                Some(close) => {
                    let uid = after.get(..close).unwrap_or("");
                    if is_valid_uid(uid) {
                        links.push((uid.to_string(), first_line + i));
                    }
                    rest = after.get(close + 1..).unwrap_or("");
                }
                None => break,
            }
        }
    }
    links
}
