//! The `[DOCUMENT]` header. StrictDoc fixes both the set of keys and their order, so an
//! unknown or misplaced key is an error rather than silently ignored metadata.

use super::cursor::{Cursor, Line, describe};
use super::error::SdocError;
use super::fields::{is_valid_uid, looks_like_field, name_len, parse_field};
use super::model::Field;

/// Header keys in the order StrictDoc requires; `PREFIX` and `REQ_PREFIX` share a slot.
const HEADER_KEYS: &[&[&str]] = &[
    &["MID"],
    &["TITLE"],
    &["UID"],
    &["VERSION"],
    &["DATE"],
    &["CLASSIFICATION"],
    &["REQ_PREFIX", "PREFIX"],
    &["ROOT"],
    &["OPTIONS"],
    &["METADATA"],
    &["VIEWS"],
];

/// `OPTIONS:` keys, each with its allowed values (empty: any value). Their order is not checked:
/// newer StrictDoc keys (e.g. RELATION_FIELD) have no documented position.
const OPTION_KEYS: &[(&[&str], &[&str])] = &[
    (&["ENABLE_MID"], &["True", "False"]),
    (&["MARKUP"], &["RST", "Text", "HTML", "Markdown"]),
    (&["AUTO_LEVELS"], &["On", "Off"]),
    (&["LAYOUT"], &["Default", "Website"]),
    (&["VIEW_STYLE", "REQUIREMENT_STYLE"], &["Plain", "Inline", "Simple", "Narrative", "Table", "Zebra"]),
    (&["NODE_IN_TOC", "REQUIREMENT_IN_TOC"], &["True", "False"]),
    (&["DEFAULT_VIEW"], &[]),
    (&["RELATION_FIELD"], &[]),
];

pub struct Header {
    pub fields: Vec<Field>,
    pub title: String,
    pub uid: Option<String>,
}

fn rank(key: &str) -> Option<usize> {
    HEADER_KEYS.iter().position(|names| names.contains(&key))
}

fn key_list() -> String {
    HEADER_KEYS.iter().flat_map(|n| n.iter()).copied().collect::<Vec<_>>().join(", ")
}

/// Parses from `[DOCUMENT]` up to (not including) the blank line or end of file after it.
pub fn parse_header(cur: &mut Cursor<'_>) -> Result<Header, SdocError> {
    match cur.next_line() {
        Some(line) if line.text == "[DOCUMENT]" => {}
        Some(line) => {
            return Err(cur
                .error_at(&line, 1, "`[DOCUMENT]`", describe(&line))
                .with_help("every .sdoc file starts with a `[DOCUMENT]` line followed by `TITLE: ...`"));
        }
        None => return Err(cur.error_eof("`[DOCUMENT]`")),
    }
    let mut header = Header { fields: Vec::new(), title: String::new(), uid: None };
    let mut next_rank = 0;
    let mut has_title = false;
    while let Some(line) = cur.peek() {
        if line.is_empty() {
            break;
        }
        let key = line.text.get(..name_len(line.text)).unwrap_or("");
        let Some(r) = rank(key).filter(|_| looks_like_field(&line)) else {
            return Err(cur
                .error_at(&line, 1, "a [DOCUMENT] field or a blank line", describe(&line))
                .with_help(format!("known [DOCUMENT] fields, in order: {}", key_list())));
        };
        if r < next_rank {
            return Err(cur
                .error_at(&line, 1, "[DOCUMENT] fields in StrictDoc's order", format!("`{key}` out of order"))
                .with_help(format!("known [DOCUMENT] fields, in order: {}", key_list())));
        }
        if r > 1 && !has_title {
            return Err(cur
                .error_at(&line, 1, "`TITLE:`", format!("`{key}`"))
                .with_help("TITLE follows [DOCUMENT] (or MID)"));
        }
        next_rank = r + 1;
        match key {
            "OPTIONS" => parse_options(cur)?,
            "METADATA" => parse_metadata(cur)?,
            "VIEWS" => parse_views(cur)?,
            _ => parse_scalar(cur, &line, key, &mut header)?,
        }
        has_title |= key == "TITLE";
    }
    if !has_title {
        return Err(match cur.peek() {
            Some(line) => cur.error_at(&line, 1, "`TITLE:`", describe(&line)),
            None => cur.error_eof("`TITLE:`"),
        });
    }
    Ok(header)
}

fn parse_scalar(cur: &mut Cursor<'_>, line: &Line<'_>, key: &str, header: &mut Header) -> Result<(), SdocError> {
    let field = parse_field(cur)?;
    if field.multiline {
        return Err(cur.error_at(line, key.len() + 3, format!("a single-line value for `{key}`"), "`>>>`"));
    }
    let bad = match key {
        "UID" => !is_valid_uid(&field.value),
        "ROOT" => !matches!(field.value.as_str(), "True" | "False"),
        _ => false,
    };
    if bad {
        let expected = if key == "UID" { "a UID (letters, digits, `_-./:()` and spaces)" } else { "`True` or `False`" };
        return Err(cur.error_at(line, key.len() + 3, expected, format!("`{}`", field.value)));
    }
    match key {
        "TITLE" => header.title = field.value.clone(),
        "UID" => header.uid = Some(field.value.clone()),
        _ => {}
    }
    header.fields.push(field);
    Ok(())
}

/// Checks the `KEY:` line itself has nothing after the colon.
fn block_head(cur: &mut Cursor<'_>, key: &str) -> Result<(), SdocError> {
    if let Some(line) = cur.next_line()
        && line.text.len() != key.len() + 1
    {
        return Err(cur.error_at(&line, key.len() + 2, "end of line", describe(&line)));
    }
    Ok(())
}

fn parse_options(cur: &mut Cursor<'_>) -> Result<(), SdocError> {
    block_head(cur, "OPTIONS")?;
    while let Some(line) = cur.peek() {
        let Some(rest) = line.text.strip_prefix("  ") else { break };
        let key = rest.get(..name_len(rest)).unwrap_or("");
        let value = rest.get(key.len()..).and_then(|v| v.strip_prefix(": ")).unwrap_or("");
        let Some(r) = OPTION_KEYS.iter().position(|(names, _)| names.contains(&key)) else {
            let known: Vec<&str> = OPTION_KEYS.iter().flat_map(|(n, _)| n.iter()).copied().collect();
            return Err(cur
                .error_at(&line, 3, "a known document option", describe(&line))
                .with_help(format!("known OPTIONS: {}", known.join(", "))));
        };
        let allowed = OPTION_KEYS.get(r).map_or(&[][..], |(_, v)| v);
        let ok = if allowed.is_empty() { !value.trim().is_empty() } else { allowed.contains(&value) };
        if !ok {
            let expected =
                if allowed.is_empty() { "a value".to_string() } else { format!("one of {}", allowed.join(", ")) };
            return Err(cur.error_at(&line, key.len() + 5, expected, format!("`{value}`")));
        }
        cur.advance();
    }
    Ok(())
}

fn parse_metadata(cur: &mut Cursor<'_>) -> Result<(), SdocError> {
    block_head(cur, "METADATA")?;
    while let Some(line) = cur.peek() {
        let Some(rest) = line.text.strip_prefix("  ") else { break };
        let key_len = rest.find(": ").unwrap_or(0);
        let key = rest.get(..key_len).unwrap_or("");
        let key_ok = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let value = rest.get(key_len + 2..).unwrap_or("");
        if !key_ok || value.trim().is_empty() || value.starts_with(char::is_whitespace) {
            return Err(cur.error_at(&line, 3, "`  key: value` metadata", describe(&line)));
        }
        cur.advance();
    }
    Ok(())
}

/// `VIEWS:` only configures HTML rendering; its lines are checked for shape, not meaning.
fn parse_views(cur: &mut Cursor<'_>) -> Result<(), SdocError> {
    block_head(cur, "VIEWS")?;
    let mut count = 0;
    while let Some(line) = cur.peek() {
        let first = count == 0;
        let ok =
            line.text.starts_with("- ID: ") || (!first && line.text.starts_with("  ") && !line.text.trim().is_empty());
        if !ok {
            if first {
                return Err(cur.error_at(&line, 1, "a view `- ID: ...`", describe(&line)));
            }
            break;
        }
        count += 1;
        cur.advance();
    }
    if count == 0 {
        return Err(cur.error_eof("a view `- ID: ...`"));
    }
    Ok(())
}
