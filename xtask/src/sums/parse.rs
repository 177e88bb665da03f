//! Reading SHA256SUMS as coreutils writes it: text (`h  p`), binary (`h *p`), escaped
//! (`\h  p` with `\\` and `\n` in the name) and tagged (`SHA256 (p) = h`) lines.

use std::path::Path;

use super::{SumLine, SumsError};
use crate::digest::Digest;
use crate::fsx::path_safety;

pub fn parse(text: &str, source: &Path) -> Result<Vec<SumLine>, SumsError> {
    let mut lines = Vec::new();
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let lineno = i + 1;
        let malformed = |message: String| SumsError::Malformed { file: source.to_path_buf(), line: lineno, message };
        let line = raw.strip_suffix('\n').ok_or_else(|| malformed("last line has no newline".into()))?;
        if line.ends_with('\r') {
            return Err(malformed("CRLF line ending; SHA256SUMS uses LF only".into()));
        }
        let sum = parse_line(line).map_err(malformed)?;
        path_safety::check_relative(&sum.path).map_err(|p| malformed(format!("path `{}`: {p}", sum.path)))?;
        lines.push(sum);
    }
    if lines.is_empty() {
        return Err(SumsError::Malformed { file: source.to_path_buf(), line: 1, message: "no checksum lines".into() });
    }
    if let Some((first, again)) = first_repeat(&lines) {
        let message = format!("`{}` is listed twice (first on line {})", lines[again].path, first + 1);
        return Err(SumsError::Malformed { file: source.to_path_buf(), line: again + 1, message });
    }
    Ok(lines)
}

/// The earliest line that repeats a path, with the line it repeats (0-based). Found by sorting
/// line numbers, not with a set of every path: a SHA256SUMS of 200,000 files would hold each twice.
fn first_repeat(lines: &[SumLine]) -> Option<(usize, usize)> {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    // Stable, so equal paths stay in line order.
    order.sort_by(|&a, &b| lines[a].path.as_bytes().cmp(lines[b].path.as_bytes()));
    order
        .windows(2)
        .filter(|w| lines[w[0]].path == lines[w[1]].path)
        .map(|w| (w[0], w[1]))
        .min_by_key(|&(_, again)| again)
}

fn parse_line(line: &str) -> Result<SumLine, String> {
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (hex, raw_path) = if let Some(rest) = line.strip_prefix("SHA256 (") {
        let (path, hex) = rest.rsplit_once(") = ").ok_or("tagged line must read `SHA256 (path) = <64 hex digits>`")?;
        (hex, path)
    } else if line.contains(" (") && line.split_once(" (").is_some_and(|(tag, _)| !tag.contains(' ') && tag.len() < 12)
    {
        let tag = line.split_once(" (").map(|(t, _)| t).unwrap_or_default();
        return Err(format!("tagged line uses {tag}, not SHA256"));
    } else {
        let (hex, rest) =
            line.split_once(' ').ok_or("expected `<64 hex digits>  <path>` (two spaces, or space and `*`)")?;
        let path = rest
            .strip_prefix(' ')
            .or_else(|| rest.strip_prefix('*'))
            .ok_or("expected two spaces (text mode) or ` *` (binary mode) between digest and path")?;
        (hex, path)
    };
    let digest = Digest::parse_hex(hex).ok_or_else(|| {
        format!("`{hex}` is not a SHA-256 digest (expected 64 hex digits, found {} characters)", hex.len())
    })?;
    let path = if escaped { unescape(raw_path)? } else { raw_path.to_string() };
    Ok(SumLine { digest, path })
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            other => {
                return Err(format!("unknown escape `\\{}` in file name", other.map(String::from).unwrap_or_default()));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    fn one(line: &str) -> Result<SumLine, String> {
        parse_line(line)
    }

    #[test]
    fn coreutils_forms() {
        assert_eq!(one(&format!("{H}  a b.txt")).unwrap().path, "a b.txt");
        assert_eq!(one(&format!("{H} *bin/x")).unwrap().path, "bin/x");
        assert_eq!(one(&format!("SHA256 (dir/f) = {H}")).unwrap().path, "dir/f");
        assert_eq!(one(&format!("\\{H}  a\\\\b\\nc")).unwrap().path, "a\\b\nc");
        assert_eq!(one(&format!("{}  x", H.to_uppercase())).unwrap().digest.hex(), H);
    }

    #[test]
    fn malformed_lines_say_what_is_wrong() {
        assert!(one(&format!("{H} x")).unwrap_err().contains("two spaces"));
        assert!(one("abc  x").unwrap_err().contains("64 hex digits"));
        assert!(one(&format!("MD5 (x) = {H}")).unwrap_err().contains("MD5"));
        let err = parse(&format!("{H}  ../etc/passwd\n"), Path::new("S")).unwrap_err().to_string();
        assert!(err.contains("S:1") && err.contains(".."), "{err}");
        let err = parse(&format!("{H}  a\n{H}  a\n"), Path::new("S")).unwrap_err().to_string();
        assert!(err.contains("S:2") && err.contains("twice"), "{err}");
    }
}
