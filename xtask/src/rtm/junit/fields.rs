//! Interpreting attribute and text values: times, messages, requirement lists.

use std::collections::HashSet;

use super::{MAX_CASE_REQUIREMENTS, MAX_MESSAGE_BYTES};

/// Seconds from a `time` attribute. Surefire groups thousands with commas (`1,204.5`, allowed by
/// its XSD), so those are accepted; a decimal comma (`1,5`) is ambiguous and yields `None`.
pub(super) fn parse_time(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    let value: f64 = match raw.parse() {
        Ok(v) => v,
        Err(_) if is_comma_grouped(raw) => raw.replace(',', "").parse().ok()?,
        Err(_) => return None,
    };
    (value.is_finite() && value >= 0.0).then_some(value)
}

fn is_comma_grouped(raw: &str) -> bool {
    let int = raw.split_once('.').map_or(raw, |(int, _)| int);
    let mut groups = int.split(',');
    let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()) && all_digits(g));
    first_ok && int.contains(',') && groups.all(|g| g.len() == 3 && all_digits(g))
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Trimmed and cut at a character boundary; `None` when nothing is left.
pub(super) fn clip_message(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let cut = trimmed.get(..floor_boundary(trimmed, MAX_MESSAGE_BYTES)).unwrap_or_default().trim_end();
    (!cut.is_empty()).then(|| cut.to_string())
}

/// Appends text to a message being collected, skipping leading whitespace and stopping a little
/// past the limit, so a megabyte stack trace never sits in memory.
pub(super) fn push_capped(buf: &mut String, chunk: &str) {
    let chunk = if buf.is_empty() { chunk.trim_start() } else { chunk };
    let room = (MAX_MESSAGE_BYTES + 4).saturating_sub(buf.len());
    buf.push_str(chunk.get(..floor_boundary(chunk, room)).unwrap_or_default());
}

fn floor_boundary(s: &str, max: usize) -> usize {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

pub(super) fn is_requirement_key(key: &str) -> bool {
    key.trim().eq_ignore_ascii_case("verifies") || key.trim().eq_ignore_ascii_case("requirement")
}

/// Requirement ids from the properties, in first-seen order without repeats, at most one past
/// [`MAX_CASE_REQUIREMENTS`] (so a case over the limit is known without keeping all its ids), and
/// the index of the property that went past it.
pub(super) fn requirements(properties: &[(String, String)]) -> (Vec<String>, Option<usize>) {
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for (p, (_, value)) in properties.iter().enumerate().filter(|(_, (k, _))| is_requirement_key(k)) {
        for id in value.split(|c: char| c == ',' || c.is_whitespace()).filter(|id| !id.is_empty()) {
            if seen.insert(id) {
                ids.push(id.to_string());
                if ids.len() > MAX_CASE_REQUIREMENTS {
                    return (ids, Some(p));
                }
            }
        }
    }
    (ids, None)
}
