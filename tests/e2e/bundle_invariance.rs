//! The same tree gives the same bytes whatever the mtimes, owners, umask, creation order,
//! `TAR_OPTIONS`, `TZ`, `LC_ALL` or filesystem.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::{SIGNET, assert_matches_oracle, sh};

const FILES: &[(&str, &str)] = &[
    ("a.txt", "alpha"),
    ("z/last.txt", "omega"),
    ("foo/bar.txt", "in foo"),
    ("foo-bar.html", "<p>dash</p>"),
    ("ü/ñ.md", "accents"),
    ("run.sh", "#!/bin/sh\necho run\n"),
];

fn build(dir: &Path, reverse: bool, umask: &str) {
    let mut files: Vec<_> = FILES.to_vec();
    if reverse {
        files.reverse();
    }
    let mut script = format!("umask {umask}; mkdir -p ev; cd ev; ");
    for (rel, content) in files {
        if let Some((parent, _)) = rel.rsplit_once('/') {
            script.push_str(&format!("mkdir -p '{parent}'; "));
        }
        script.push_str(&format!("printf '%s' '{content}' > '{rel}'; "));
    }
    script.push_str("chmod +x run.sh");
    sh(dir, &script);
}

fn bundle_hash(evidence: &Path, env: &[(&str, &str)]) -> String {
    let out = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(SIGNET);
    cmd.args(["bundle", "--evidence"]).arg(evidence).arg("--out").arg(out.path().join("b.tar"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).split_whitespace().next().unwrap().to_string()
}

#[test]
fn same_tree_same_bytes_under_every_variation() {
    let first = tempfile::tempdir().unwrap();
    build(first.path(), false, "022");
    let reference = bundle_hash(&first.path().join("ev"), &[]);
    assert_eq!(reference, crate::support::sha256_hex(&assert_matches_oracle(&first.path().join("ev"))));

    // Reverse creation order, a strict umask, old mtimes, another owner.
    let second = tempfile::tempdir().unwrap();
    build(second.path(), true, "077");
    sh(
        second.path(),
        "find ev -exec touch -h -d '2001-09-09 01:46:40' {} + && chown -R 65534:65534 ev 2>/dev/null || true",
    );
    assert_eq!(bundle_hash(&second.path().join("ev"), &[]), reference, "order/umask/mtime/owner");

    // The environment a CI runner or a developer's shell might have.
    let env = [
        ("TAR_OPTIONS", "--format=gnu --sort=none"),
        ("TZ", "Pacific/Kiritimati"),
        ("LC_ALL", "tr_TR.UTF-8"),
        ("LANG", "ja_JP.UTF-8"),
        ("POSIXLY_CORRECT", "1"),
        ("SOURCE_DATE_EPOCH", "1700000000"),
    ];
    assert_eq!(bundle_hash(&first.path().join("ev"), &env), reference, "environment");
}

#[test]
fn same_bytes_on_another_filesystem() {
    // /dev/shm is tmpfs: a different filesystem, directory order and inode numbering.
    let shm = Path::new("/dev/shm");
    if !shm.is_dir() {
        signet_dev::missing_prerequisite("no /dev/shm");
        return;
    }
    let disk = tempfile::tempdir().unwrap();
    let mem = tempfile::tempdir_in(shm).unwrap();
    build(disk.path(), false, "022");
    build(mem.path(), true, "022");
    let a = bundle_hash(&disk.path().join("ev"), &[]);
    let b = bundle_hash(&mem.path().join("ev"), &[]);
    assert_eq!(a, b);
    assert_ne!(
        fs::metadata(disk.path()).map(|m| std::os::unix::fs::MetadataExt::dev(&m)).unwrap(),
        fs::metadata(mem.path()).map(|m| std::os::unix::fs::MetadataExt::dev(&m)).unwrap(),
        "really two filesystems"
    );
}
