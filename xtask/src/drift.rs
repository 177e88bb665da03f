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
    // `--diff-merges=separate`: a merge is compared with each parent, so a deletion made while
    // resolving a merge shows too. `%p`: the parents, in the order the blocks come.
    let log = git(
        root,
        &[
            "log",
            "--reverse",
            "--no-renames",
            "--relative",
            "--diff-merges=separate",
            "--format=%x00%h%x09%as%x09%an%x09%p",
            "--name-status",
            "--",
            layout::DIR,
        ],
    );
    let log = match log {
        Ok(text) => text,
        Err(why) => return Scan::NotChecked(why),
    };
    let mut found = Vec::new();
    let (mut commit, mut shown, mut parent) = (String::new(), String::new(), String::new());
    let mut block = 0;
    for line in log.lines() {
        if let Some(header) = line.strip_prefix('\0') {
            let parts: Vec<&str> = header.splitn(4, '\t').collect();
            let [hash, date, author, parents] = parts[..] else { continue };
            block = if hash == commit { block + 1 } else { 0 };
            commit = hash.to_owned();
            parent = parents.split_whitespace().nth(block).unwrap_or_default().to_owned();
            shown = format!("{hash} ({date}, {author})");
            continue;
        }
        if let Some((status, file)) = line.split_once('\t') {
            let drift = judge(root, status, file, &shown, Some((&parent, &commit)));
            // A merge compared with each parent may show one deletion twice.
            found.extend(drift.filter(|d| !found.contains(d)));
        }
    }
    if let Ok(status) =
        git(root, &["status", "--porcelain=v1", "--no-renames", "--untracked-files=no", "--", layout::DIR])
    {
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

/// A change of `status` (`A`, `M`, `D`, `T` …) to `file` between `(parent, commit)` (`None`: in
/// the working tree). Only an addition is never drift.
fn judge(root: &Path, status: &str, file: &str, shown: &str, commit: Option<(&str, &str)>) -> Option<Drift> {
    if !file.starts_with(&format!("{}/", layout::DIR)) || file == layout::TRUST || file == layout::TRUSTED_ROOT {
        return None;
    }
    let append_only = file == layout::REGISTRY || file.ends_with(&format!("/{}", layout::AUDIT));
    let change = match status {
        "A" => return None,
        "D" if withdrawn(root, file, commit) => return None,
        "D" => "deleted".to_owned(),
        "M" if append_only => match only_appended(root, file, commit) {
            Some(true) => return None,
            _ => "earlier content removed or changed; it only ever grows at its end".to_owned(),
        },
        "M" => "modified after it was first committed".to_owned(),
        "T" => "replaced by another kind of file (a symbolic link?)".to_owned(),
        other => format!("changed (git status {other})"),
    };
    Some(Drift { file: file.to_owned(), commit: shown.to_owned(), change })
}

/// Whether a deleted signature file of a release folder was taken back by a withdrawal: the
/// same change holds `withdrawals/<sha256 of the deleted bytes>.dsse.json`, naming that file and
/// digest. (Its signature is the gate's to check, when it verifies the release.)
fn withdrawn(root: &Path, file: &str, commit: Option<(&str, &str)>) -> bool {
    let Some((folder, name)) = file.rsplit_once('/') else { return false };
    let in_release_folder = folder.strip_prefix(&format!("{}/", layout::DIR)).is_some_and(|id| !id.contains('/'));
    // A timestamp token goes with its envelope.
    let name = layout::envelope_of_token(name).unwrap_or_else(|| name.to_owned());
    if !in_release_folder || !layout::is_signature_file(&name) {
        return false;
    }
    let envelope = format!("{folder}/{name}");
    let Some(deleted) = blob(root, commit.map_or("HEAD", |(parent, _)| parent), &envelope) else { return false };
    let sha = crate::digest::Digest::of(&deleted);
    let withdrawal = format!("{folder}/{}/{}{}", layout::WITHDRAWALS, sha.hex(), layout::DSSE_SUFFIX);
    let text = match commit {
        Some((_, hash)) => blob(root, hash, &withdrawal),
        None => crate::fsx::read::read_bytes(&root.join(&withdrawal), crate::fsx::read::MAX_RECORD_BYTES).ok(),
    };
    let names = text.and_then(|t| crate::sign::withdrawal::names(&t));
    names.is_some_and(|f| f.file == name && f.sha256 == sha.tagged())
}

/// `file` as `rev` holds it.
fn blob(root: &Path, rev: &str, file: &str) -> Option<Vec<u8>> {
    let out = Command::new("git").arg("-C").arg(root).args(["cat-file", "blob", &format!("{rev}:./{file}")]).output();
    out.ok().filter(|o| o.status.success()).map(|o| o.stdout)
}

/// Whether a change to `file` only appended to it: the earlier bytes are a prefix of the later
/// ones (compared as blobs, so no `.gitattributes` diff setting can hide a change); `None`
/// when either version cannot be read.
fn only_appended(root: &Path, file: &str, commit: Option<(&str, &str)>) -> Option<bool> {
    let blob = |rev: &str| blob(root, rev, file);
    let (old, new) = match commit {
        Some((parent, hash)) => (blob(parent)?, blob(hash)?),
        None => {
            (blob("HEAD")?, crate::fsx::read::read_bytes(&root.join(file), crate::fsx::read::MAX_RECORD_BYTES).ok()?)
        }
    };
    Some(new.starts_with(&old))
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
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
        // A signature taken back by a withdrawal naming its file and digest is no drift; an
        // empty file where the withdrawal should be is.
        for (file, real) in [("W--b.dsse.json", true), ("W--c.dsse.json", false)] {
            std::fs::write(d.join("signatures/v1").join(file), file).unwrap();
            sh(d, &format!("git add signatures/v1/{file} && git commit -qm sign"));
            let sha = crate::digest::Digest::of(file.as_bytes()).tagged();
            let w: crate::formats::withdrawal::Withdrawal = serde_json::from_value(serde_json::json!({
                "schema": "signet.withdrawal/v1", "release": "v1", "request_sha256": "sha256:00", "signer_id": "b",
                "role": "W", "withdrawn": {"file": file, "sha256": sha}, "reason": "r", "withdrawn_at": "2026-01-01",
            }))
            .unwrap();
            let key = crate::sign::keys::generate();
            let text = if real { crate::sign::withdrawal::envelope_text(&w, &key) } else { String::new() };
            let path = d.join("signatures/v1/withdrawals").join(crate::sign::withdrawal::file_name(&sha));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
            sh(d, &format!("git rm -q signatures/v1/{file} && git add signatures/v1/withdrawals && git commit -qm w"));
        }
        let Scan::Checked(found) = scan(d) else { panic!("checked") };
        let seen: Vec<(&str, &str)> = found.iter().map(|f| (f.file.as_str(), f.change.as_str())).collect();
        assert_eq!(
            seen,
            [
                ("signatures/signers.toml", "earlier content removed or changed; it only ever grows at its end"),
                ("signatures/v1/events/e.json", "modified after it was first committed"),
                ("signatures/v1/x.dsse.json", "deleted"),
                ("signatures/v1/W--c.dsse.json", "deleted"),
                ("signatures/v1/request.json", "modified after it was first committed"),
            ]
        );
        assert!(found[0].commit.ends_with(", A)") && found[4].commit == "the working tree", "{found:?}");
    }

    /// What a pull-request author might try: a deletion inside a merge commit, a file made a
    /// symbolic link, and a `.gitattributes` entry that makes the registry "binary".
    #[test]
    fn merges_type_changes_and_attributes_do_not_hide_drift() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        sh(d, "git init -q -b main && mkdir -p signatures/v1 && echo r > signatures/v1/R--a.dsse.json");
        sh(d, "printf 'a\\nb\\n' > signatures/signers.toml && git add -A && git commit -qm one");
        sh(d, "git checkout -qb side && echo x > README && git add -A && git commit -qm side && git checkout -q main");
        sh(
            d,
            "git merge -q --no-ff --no-commit side && git rm -q signatures/v1/R--a.dsse.json && git commit -qm merge",
        );
        sh(d, "echo 'signatures/signers.toml -diff' > .gitattributes && printf 'a\\n' > signatures/signers.toml");
        sh(d, "git add -A && git commit -qm binary && mkdir -p v1 && echo r > v1/r && rm signatures/signers.toml");
        sh(d, "ln -s ../v1/r signatures/signers.toml && git add -A && git commit -qm link");
        let Scan::Checked(found) = scan(d) else { panic!("checked") };
        let seen: Vec<(&str, &str)> = found.iter().map(|f| (f.file.as_str(), f.change.as_str())).collect();
        assert_eq!(
            seen,
            [
                ("signatures/v1/R--a.dsse.json", "deleted"),
                ("signatures/signers.toml", "earlier content removed or changed; it only ever grows at its end"),
                ("signatures/signers.toml", "replaced by another kind of file (a symbolic link?)"),
            ]
        );
    }
}
