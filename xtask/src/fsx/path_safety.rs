//! The one path-safety check. Every relative path Signet reads from a tree, a SHA256SUMS file,
//! a manifest or a requirement document goes through here, so the rules cannot drift apart.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    Empty,
    Absolute,
    DotComponent,
    DotDot,
    EmptyComponent,
    Control(char),
    Backslash,
    NotUtf8,
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathProblem::Empty => write!(f, "empty path"),
            PathProblem::Absolute => write!(f, "absolute path (paths must be relative)"),
            PathProblem::DotComponent => write!(f, "contains a `.` component"),
            PathProblem::DotDot => write!(f, "contains `..` (would escape the folder)"),
            PathProblem::EmptyComponent => {
                write!(f, "contains an empty component (`//` or a trailing `/`)")
            }
            PathProblem::Control(c) => write!(f, "contains control character U+{:04X}", *c as u32),
            PathProblem::Backslash => write!(f, "contains a backslash (`\\`)"),
            PathProblem::NotUtf8 => write!(f, "name is not valid UTF-8"),
        }
    }
}

/// One file or folder name, as read from a directory.
pub fn check_name(name: &str) -> Result<(), PathProblem> {
    match name {
        "" => return Err(PathProblem::EmptyComponent),
        "." => return Err(PathProblem::DotComponent),
        ".." => return Err(PathProblem::DotDot),
        _ => {}
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(PathProblem::Control(c));
    }
    if name.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    Ok(())
}

/// A `/`-separated relative path such as `reports/rtm.html`.
pub fn check_relative(path: &str) -> Result<(), PathProblem> {
    if path.is_empty() {
        return Err(PathProblem::Empty);
    }
    if path.starts_with('/') {
        return Err(PathProblem::Absolute);
    }
    path.split('/').try_for_each(check_name)
}

/// The key under which two names are the same file on a case-insensitive or normalising
/// filesystem (macOS, Windows): NFC, then Unicode full case folding, then NFC again.
pub fn collision_key(path: &str) -> String {
    // ASCII is its own NFC, and its full case folding is plain lowercasing.
    if path.is_ascii() {
        return path.to_ascii_lowercase();
    }
    let nfc: String = path.nfc().collect();
    caseless::default_case_fold_str(&nfc).nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(check_relative("a/b.txt"), Ok(()));
        assert_eq!(check_relative("a/../b"), Err(PathProblem::DotDot));
        assert_eq!(check_relative("./b"), Err(PathProblem::DotComponent));
        assert_eq!(check_relative("/etc/passwd"), Err(PathProblem::Absolute));
        assert_eq!(check_relative("a//b"), Err(PathProblem::EmptyComponent));
        assert_eq!(check_relative("a/"), Err(PathProblem::EmptyComponent));
        assert_eq!(check_relative("a\\b"), Err(PathProblem::Backslash));
        assert_eq!(check_relative("a\nb"), Err(PathProblem::Control('\n')));
        assert_eq!(check_relative("a\u{7f}"), Err(PathProblem::Control('\u{7f}')));
    }

    #[test]
    fn collisions_fold_case_and_normalisation() {
        assert_eq!(collision_key("README.md"), collision_key("readme.MD"));
        assert_eq!(collision_key("caf\u{e9}"), collision_key("cafe\u{301}"));
        assert_eq!(collision_key("Stra\u{df}e"), collision_key("STRASSE"));
        assert_ne!(collision_key("a"), collision_key("b"));
    }
}
