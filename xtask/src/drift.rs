//! Drift in the signature record, read from git history (seed 000: "any change to a signed
//! manifest creates a drift signal"). Under `signatures/`, every file of a release folder —
//! request, signatures, event files — and every archival manifest is written once; the signer
//! registry and a v1 `audit.jsonl` only grow at their end. Any other change, committed or not,
//! is drift: `rtm-gate` and `release-check` report it, naming the file, the commit and what
//! changed. The trust file and the pinned Sigstore root are replaced by design (rotations),
//! under their own signatures and CODEOWNERS, and are not watched here.
//!
//! History is read with the `git` CLI, the tool every regulated repository already trusts.

use std::path::Path;
use std::process::Command;

use crate::sign::layout;

/// One change to a file of the record that should never have happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The file, relative to the repository root the gate was given.
    pub file: String,
    /// `<short hash> (<date>, <author>)`, or `the working tree` for a change not committed yet.
    pub commit: String,
    pub change: String,
}

/// Whether the record could be checked, and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    Checked(Vec<Drift>),
    /// Not a git repository, or no `git` to ask: nothing to compare with.
    NotChecked(String),
}

/// Every drift under `<root>/signatures/`, oldest commit first, then the working tree's.
pub fn scan(root: &Path) -> Scan {
    if !root.join(layout::DIR).is_dir() {
        return Scan::Checked(Vec::new());
    }
    let log = git(
        root,
        &["log", "--reverse", "--no-renames", "--relative", "--format=%x00%h%x09%as%x09%an", "--name-status"],
    );
    let log = match log {
        Ok(text) => text,
        Err(why) => return Scan::NotChecked(why),
    };
    let mut found = Vec::new();
    let mut commit = String::new();
    for line in log.lines() {
        if let Some(header) = line.strip_prefix('\0') {
            let mut parts = header.splitn(3, '\t');
            let (hash, date, author) = (parts.next(), parts.next(), parts.next());
            commit = format!("{} ({}, {})", hash.unwrap_or("?"), date.unwrap_or("?"), author.unwrap_or("?"));
            continue;
        }
        if let Some((status, file)) = line.split_once('\t') {
            found.extend(judge(root, status, file, &commit, Some(&commit)));
        }
    }
    if let Ok(status) = git(root, &["status", "--porcelain=v1", "--no-renames", "--untracked-files=no"]) {
        let prefix = git(root, &["rev-parse", "--show-prefix"]).unwrap_or_default();
        for line in status.lines().filter(|l| l.len() > 3) {
            let (xy, path) = line.split_at(3);
            let file = path.strip_prefix(prefix.trim()).unwrap_or(path);
            let status = if xy.contains('D') { "D" } else { "M" };
            found.extend(judge(root, status, file, "the working tree", None));
        }
    }
    Scan::Checked(found)
}

/// A change of `status` (`M`, `D`, `A`) to `file` in `commit` (`None`: not committed yet).
fn judge(root: &Path, status: &str, file: &str, shown: &str, commit: Option<&str>) -> Option<Drift> {
    if !file.starts_with(&format!("{}/", layout::DIR)) || file == layout::TRUST || file == layout::TRUSTED_ROOT {
        return None;
    }
    let append_only = file == layout::REGISTRY || file.ends_with(&format!("/{}", layout::AUDIT));
    let change = match status {
        "D" => "deleted".to_owned(),
        "M" if append_only => {
            let removed = removed_lines(root, file, commit)?;
            format!("{removed} line(s) removed or changed; it only ever grows at its end")
        }
        "M" => "modified after it was first committed".to_owned(),
        _ => return None,
    };
    Some(Drift { file: file.to_owned(), commit: shown.to_owned(), change })
}

/// Lines a change removed from `file` (a changed line counts), or `None` when it only appended.
fn removed_lines(root: &Path, file: &str, commit: Option<&str>) -> Option<u64> {
    let range = match commit {
        Some(c) => {
            let hash = c.split_whitespace().next().unwrap_or_default();
            vec![format!("{hash}^"), hash.to_owned()]
        }
        None => vec!["HEAD".to_owned()],
    };
    let mut args = vec!["diff", "--numstat", "--relative"];
    args.extend(range.iter().map(String::as_str));
    args.extend(["--", file]);
    let out = git(root, &args).ok()?;
    let removed: u64 = out.split_whitespace().nth(1)?.parse().ok()?;
    (removed > 0).then_some(removed)
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .args(if args[0] == "log" || args[0] == "status" { vec!["--", layout::DIR] } else { Vec::new() })
        .output()
        .map_err(|e| format!("cannot run git ({e}); install git to check the record's history"))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        return Err(format!("git {}: {}", args[0], why.lines().next().unwrap_or("failed")));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(dir: &Path, script: &str) {
        let ok = Command::new("bash")
            .args(["-c", script])
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@example.com")
            .env("GIT_COMMITTER_NAME", "A")
            .env("GIT_COMMITTER_EMAIL", "a@example.com")
            .status()
            .unwrap()
            .success();
        assert!(ok, "{script}");
    }

    #[test]
    fn only_edits_and_deletions_of_write_once_files_are_drift() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(scan(d), Scan::Checked(Vec::new()), "no record, nothing to check");
        sh(
            d,
            "mkdir -p signatures/v1/events && echo a > signatures/v1/events/e.json && echo s > signatures/signers.toml",
        );
        assert!(matches!(scan(d), Scan::NotChecked(why) if why.contains("git log")), "not a repository");
        sh(
            d,
            "git init -q && echo r > signatures/v1/request.json && echo t > signatures/trust.json && git add -A && git commit -qm one",
        );
        sh(
            d,
            "echo s2 >> signatures/signers.toml && echo t2 > signatures/trust.json && echo x > signatures/v1/x.dsse.json",
        );
        sh(d, "git add -A && git commit -qm appends");
        assert_eq!(scan(d), Scan::Checked(Vec::new()), "appends, rotations and new files are not drift");
        sh(
            d,
            "echo b > signatures/v1/events/e.json && git rm -q signatures/v1/x.dsse.json && echo s > signatures/signers.toml",
        );
        sh(d, "git add -A && git commit -qm edits && echo q > signatures/v1/request.json");
        let Scan::Checked(found) = scan(d) else { panic!("checked") };
        let seen: Vec<(&str, &str)> = found.iter().map(|f| (f.file.as_str(), f.change.as_str())).collect();
        assert_eq!(
            seen,
            [
                ("signatures/signers.toml", "1 line(s) removed or changed; it only ever grows at its end"),
                ("signatures/v1/events/e.json", "modified after it was first committed"),
                ("signatures/v1/x.dsse.json", "deleted"),
                ("signatures/v1/request.json", "modified after it was first committed"),
            ]
        );
        assert!(found[0].commit.ends_with(", A)") && found[3].commit == "the working tree", "{found:?}");
    }
}
