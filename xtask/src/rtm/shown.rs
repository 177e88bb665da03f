//! What a change's diff showed its reviewers, line by line. The auto-stamp records an approval
//! on a requirement only if every line of it was in front of the approvers: added by the change,
//! or (for a requirement reviewed before it) an unchanged line of that requirement's reviewed
//! form. Read from `git diff -U0` (no context lines, renames detected as GitHub shows them).

use std::collections::HashMap;

/// Where a line of a file as it is now came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Added by the change: the reviewers saw it.
    Added,
    /// Unchanged: line `line` of `file` before the change (paths relative to the project).
    Old { file: String, line: usize },
    /// Neither: a line of a new file the diff does not account for.
    Unknown,
}

#[derive(Debug, Clone, Default)]
pub struct Diff {
    /// By the path after the change.
    files: HashMap<String, FileDiff>,
    prefix: String,
}

#[derive(Debug, Clone, Default)]
struct FileDiff {
    /// The path before the change; None for a new file.
    old: Option<String>,
    hunks: Vec<Hunk>,
}

#[derive(Debug, Clone, Copy)]
struct Hunk {
    old_len: usize,
    new_start: usize,
    new_len: usize,
}

impl Hunk {
    /// The first line after the change that comes after this hunk.
    fn new_end(&self) -> usize {
        if self.new_len == 0 { self.new_start + 1 } else { self.new_start + self.new_len }
    }
}

impl Diff {
    /// Reads `git -c core.quotePath=false diff -U0 -M --text --no-ext-diff --no-textconv
    /// --relative`. A path git had to quote, or a binary change, cannot be attributed to lines, so
    /// the whole diff is refused: the caller then stamps nothing.
    pub fn parse(text: &str) -> Result<Diff, String> {
        Self::parse_in(text, "")
    }

    /// As [`parse`](Diff::parse), for a diff of the whole repository (no `--relative`) of a project
    /// in its folder `prefix` (`dir/`): paths under it lose the prefix, and any other path is kept
    /// as `../path`, which no file of the project matches. So a file renamed into the project from
    /// outside keeps its history (GitHub shows a rename, not added text).
    pub fn parse_in(text: &str, prefix: &str) -> Result<Diff, String> {
        let mut diff = Diff { prefix: prefix.to_owned(), ..Diff::default() };
        let mut entry: Option<(Option<String>, Option<String>, FileDiff)> = None;
        // Lines of the current hunk still to come: a body line is never read as a header, so an
        // added line `++ b/x` (shown as `+++ b/x`) cannot pose as another file's header.
        let (mut old_left, mut new_left) = (0usize, 0usize);
        for (n, line) in text.lines().enumerate() {
            let at = || format!("line {}", n + 1);
            if old_left + new_left > 0 {
                match line.as_bytes().first() {
                    Some(b'-') if old_left > 0 => old_left -= 1,
                    Some(b'+') if new_left > 0 => new_left -= 1,
                    Some(b'\\') => {}
                    _ => return Err(format!("{}: not a line of the hunk above", at())),
                }
                continue;
            }
            if line.starts_with('\\') {
                continue;
            }
            if let Some(rest) = line.strip_prefix("diff --git ") {
                diff.finish(entry.take())?;
                if rest.starts_with('"') {
                    return Err(format!("{}: a path git quotes ({rest})", at()));
                }
                entry = Some((None, None, FileDiff::default()));
                continue;
            }
            let Some((old, new, file)) = entry.as_mut() else {
                return Err(format!("{}: not a git diff", at()));
            };
            if let Some(header) = line.strip_prefix("@@ -") {
                let h = hunk(header).ok_or_else(|| format!("{}: not a hunk header", at()))?;
                (old_left, new_left) = (h.old_len, h.new_len);
                file.hunks.push(h);
            } else if !file.hunks.is_empty() {
                return Err(format!("{}: a header line after the hunks", at()));
            } else if let Some(path) = line.strip_prefix("rename from ") {
                *old = Some(unquoted(path).ok_or_else(at)?);
                file.old = old.clone();
            } else if let Some(path) = line.strip_prefix("rename to ") {
                *new = Some(unquoted(path).ok_or_else(at)?);
            } else if let Some(path) = line.strip_prefix("--- ") {
                file.old = side(path, "a/").ok_or_else(at)?;
                *old = file.old.clone();
            } else if let Some(path) = line.strip_prefix("+++ ") {
                *new = side(path, "b/").ok_or_else(at)?;
            } else if line.starts_with("Binary files ") || line.starts_with("GIT binary patch") {
                return Err(format!("{}: a binary change", at()));
            }
        }
        if old_left + new_left > 0 {
            return Err("the last hunk ends early".into());
        }
        diff.finish(entry.take())?;
        Ok(diff)
    }

    fn finish(&mut self, entry: Option<(Option<String>, Option<String>, FileDiff)>) -> Result<(), String> {
        let Some((old, new, file)) = entry else { return Ok(()) };
        // A change of mode only, or a deletion: no lines of it exist after the change.
        let mut file = file;
        file.old = file.old.map(|p| self.local(p));
        if let Some(new) = new.or(if file.hunks.is_empty() { None } else { old }).map(|p| self.local(p))
            && self.files.insert(new.clone(), file).is_some()
        {
            return Err(format!("{new} appears twice"));
        }
        Ok(())
    }

    fn local(&self, path: String) -> String {
        match path.strip_prefix(&self.prefix) {
            Some(inside) => inside.to_owned(),
            None => format!("../{path}"),
        }
    }

    /// Where line `line` (1-based) of `file` after the change came from.
    pub fn origin(&self, file: &str, line: usize) -> Origin {
        let Some(diff) = self.files.get(file) else {
            return Origin::Old { file: file.to_owned(), line };
        };
        let mut old_line = line as isize;
        for h in &diff.hunks {
            if h.new_len > 0 && (h.new_start..h.new_start + h.new_len).contains(&line) {
                return Origin::Added;
            }
            if h.new_end() <= line {
                old_line += h.old_len as isize - h.new_len as isize;
            }
        }
        match &diff.old {
            Some(old) if old_line > 0 => Origin::Old { file: old.clone(), line: old_line as usize },
            _ => Origin::Unknown,
        }
    }
}

/// `a/path` or `/dev/null` on a `---`/`+++` line (git appends a tab after names with spaces).
fn side(path: &str, prefix: &str) -> Option<Option<String>> {
    let path = path.strip_suffix('\t').unwrap_or(path);
    if path == "/dev/null" {
        return Some(None);
    }
    Some(Some(unquoted(path.strip_prefix(prefix)?)?))
}

fn unquoted(path: &str) -> Option<String> {
    (!path.starts_with('"')).then(|| path.to_owned())
}

/// `a,b +c,d @@ …` (counts default to 1).
fn hunk(header: &str) -> Option<Hunk> {
    let (ranges, _) = header.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    let count = |r: &str| -> Option<(usize, usize)> {
        match r.split_once(',') {
            Some((start, len)) => Some((start.parse().ok()?, len.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let ((_, old_len), (new_start, new_len)) = (count(old)?, count(new)?);
    Some(Hunk { old_len, new_start, new_len })
}

#[cfg(test)]
mod tests {
    use super::{Diff, Origin};

    #[test]
    fn lines_are_added_or_traced_to_their_old_place() {
        let text = "diff --git a/a.sdoc b/a.sdoc\nindex 1..2 100644\n--- a/a.sdoc\n+++ b/a.sdoc\n\
                    @@ -2,0 +3,2 @@\n+x\n+y\n@@ -7,3 +9 @@\n-p\n-q\n-r\n+s\n\
                    diff --git a/old.sdoc b/new.sdoc\nsimilarity index 100%\nrename from old.sdoc\nrename to new.sdoc\n\
                    diff --git a/n.sdoc b/n.sdoc\nnew file mode 100644\n--- /dev/null\n+++ b/n.sdoc\n@@ -0,0 +1,2 @@\n+u\n+v\n";
        let d = Diff::parse(text).expect("parses");
        let old = |file: &str, line| Origin::Old { file: file.into(), line };
        assert_eq!(d.origin("a.sdoc", 2), old("a.sdoc", 2));
        assert_eq!(d.origin("a.sdoc", 3), Origin::Added);
        assert_eq!(d.origin("a.sdoc", 4), Origin::Added);
        assert_eq!(d.origin("a.sdoc", 5), old("a.sdoc", 3));
        assert_eq!(d.origin("a.sdoc", 9), Origin::Added);
        assert_eq!(d.origin("a.sdoc", 10), old("a.sdoc", 10));
        assert_eq!(d.origin("new.sdoc", 4), old("old.sdoc", 4), "a rename shows no line as added");
        assert_eq!(d.origin("n.sdoc", 2), Origin::Added);
        assert_eq!(d.origin("n.sdoc", 3), Origin::Unknown);
        assert_eq!(d.origin("other.sdoc", 5), old("other.sdoc", 5));
        assert!(Diff::parse("diff --git \"a/\\303\\274.sdoc\" \"b/\\303\\274.sdoc\"\n").is_err(), "quoted paths");
        assert!(Diff::parse("diff --git a/x b/x\nBinary files a/x and b/x differ\n").is_err());
        // Body lines that look like headers stay body lines (`++ b/a` added shows as `+++ b/a`).
        let posing =
            "diff --git a/n.md b/n.md\n--- a/n.md\n+++ b/n.md\n@@ -1 +1,2 @@\n-x\n+++ b/a.sdoc\n+--- a/a.sdoc\n";
        let d = Diff::parse(posing).expect("parses");
        assert_eq!(d.origin("n.md", 1), Origin::Added);
        assert_eq!(d.origin("a.sdoc", 1), Origin::Old { file: "a.sdoc".into(), line: 1 });
        assert!(Diff::parse("diff --git a/n b/n\n--- a/n\n+++ b/n\n@@ -1 +1,2 @@\n-x\n+y\n").is_err(), "short hunk");
        // A file renamed into the project from outside it keeps its history.
        let moved = "diff --git a/drafts/n.sdoc b/proj/n.sdoc\nsimilarity index 96%\nrename from drafts/n.sdoc\n\
                     rename to proj/n.sdoc\n--- a/drafts/n.sdoc\n+++ b/proj/n.sdoc\n@@ -2 +2 @@\n-TITLE: a\n+TITLE: b\n";
        let d = Diff::parse_in(moved, "proj/").expect("parses");
        assert_eq!(d.origin("n.sdoc", 2), Origin::Added);
        assert_eq!(d.origin("n.sdoc", 5), Origin::Old { file: "../drafts/n.sdoc".into(), line: 5 });
        let twice = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";
        assert!(Diff::parse(&format!("{twice}{twice}")).is_err(), "a path twice");
    }
}
