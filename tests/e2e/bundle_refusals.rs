//! Trees `bundle` must refuse: exit 2, one message naming every offending path and why,
//! and nothing at the output path.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::support::{Test, sh};

#[test]
fn every_offending_path_is_listed_in_one_message() {
    let t = Test::new()
        .file("ev/ok.txt", "fine")
        .file("outside.txt", "elsewhere")
        .file("ev/README.md", "upper")
        .file("ev/readme.md", "lower")
        .file("ev/caf\u{e9}.txt", "nfc")
        .file("ev/cafe\u{301}.txt", "nfd")
        .file("ev/tab\there", "control")
        .file("ev/back\\slash", "backslash")
        .with(|dir| {
            let ev = dir.join("ev");
            symlink("ok.txt", ev.join("link-inside")).unwrap();
            symlink("../outside.txt", ev.join("link-outside")).unwrap();
            symlink("nowhere", ev.join("link-dangling")).unwrap();
            fs::write(ev.join(OsStr::from_bytes(b"latin1-\xe9")), "not utf-8").unwrap();
            sh(&ev, "mkfifo pipe && mknod null-dev c 1 3");
            std::os::unix::net::UnixListener::bind(ev.join("sock")).unwrap();
        })
        .args(["bundle", "--evidence", "ev", "--out", "b.tar"])
        .status(2)
        .run();
    let err = &t.stderr;
    for (path, why) in [
        ("link-inside", "symbolic link to `ok.txt`"),
        ("link-outside", "symbolic link to `../outside.txt`"),
        ("link-dangling", "(dangling)"),
        ("pipe", "named pipe (FIFO)"),
        ("sock", "socket"),
        ("null-dev", "device file"),
        ("latin1-\u{fffd}", "not valid UTF-8"),
        // Shown escaped: a control character in a name cannot forge a line of the list.
        ("tab\\there", "control character U+0009"),
        ("back\\slash", "backslash"),
        ("readme.md", "collides with `README.md`"),
        ("caf\u{e9}.txt", "collides with `cafe\u{301}.txt`"),
    ] {
        assert!(
            err.lines().any(|l| l.contains(path) && l.contains(why)),
            "no line names {path:?} with {why:?}:\n{err}"
        );
    }
    assert!(err.contains("has 11 path(s)"), "{err}");
    assert!(!t.path("b.tar").exists(), "no output on refusal");
    assert!(!t.path("b.tar.sha256").exists());
    assert!(
        fs::read_dir(t.dir.path())
            .unwrap()
            .all(|e| { !e.unwrap().file_name().to_string_lossy().starts_with(".signet-tmp") })
    );
}

#[test]
fn a_fifo_never_hangs_the_tool() {
    // Returning at all is the point: a read of the FIFO would block forever.
    Test::new()
        .file("ev/a.txt", "a")
        .with(|dir| {
            sh(dir, "mkfifo ev/z-pipe");
        })
        .args(["bundle", "--evidence", "ev", "--hash-only"])
        .status(2)
        .stderr_contains("z-pipe: named pipe (FIFO)")
        .run();
}

/// `bundle --evidence ev --hash-only` in `dir` as a user who cannot read mode-000 entries (root
/// reads everything: it drops to `nobody`); returns its stderr, after checking the exit is 2.
fn bundle_unprivileged(dir: &Path) -> String {
    let is_root = String::from_utf8_lossy(&sh(dir, "id -u").stdout).trim() == "0";
    let prefix = if is_root { "setpriv --reuid=65534 --regid=65534 --clear-groups " } else { "" };
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("{prefix}{} bundle --evidence ev --hash-only", crate::support::SIGNET))
        .current_dir(dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    err
}

#[test]
fn unreadable_files_and_folders_are_listed() {
    let t = Test::new()
        .file("ev/secret.txt", "no")
        .mode("ev/secret.txt", 0o000)
        .file("ev/locked/inner.txt", "no")
        .mode("ev/locked", 0o000)
        .file("ev/ok.txt", "yes")
        .with(|dir| {
            sh(dir, "chmod 755 . ev");
        });
    let err = bundle_unprivileged(t.path());
    assert!(err.lines().any(|l| l.contains("secret.txt") && l.contains("cannot be read")), "{err}");
    assert!(err.lines().any(|l| l.contains("locked") && l.contains("cannot be read")), "{err}");
    fs::set_permissions(t.path().join("ev/locked"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}

/// The bundle's walk leaves regular files to their open (`tree::walk_names`): when nothing else
/// is wrong, the first file that cannot be opened still yields the complete list, not one name.
#[test]
fn every_unreadable_file_is_listed_when_nothing_else_is_wrong() {
    let t = Test::new()
        .file("ev/a-secret.txt", "no")
        .mode("ev/a-secret.txt", 0o000)
        .file("ev/sub/z-secret.txt", "no")
        .mode("ev/sub/z-secret.txt", 0o000)
        .file("ev/ok.txt", "yes")
        .with(|dir| {
            sh(dir, "chmod 755 . ev ev/sub");
        });
    let err = bundle_unprivileged(t.path());
    for name in ["a-secret.txt", "sub/z-secret.txt"] {
        assert!(err.lines().any(|l| l.contains(name) && l.contains("cannot be read")), "{name}: {err}");
    }
}

/// A file that cannot be read still collides with its case-folded twin: the list joins the
/// bundle's first walk (which saw the collision) with the full walk (which saw the mode).
#[test]
fn an_unreadable_file_still_counts_for_collisions() {
    let t = Test::new()
        .file("ev/B.txt", "no")
        .mode("ev/B.txt", 0o000)
        .file("ev/b.txt", "yes")
        .file("ev/c.txt", "yes")
        .with(|dir| {
            sh(dir, "chmod 755 . ev && ln -s c.txt ev/A.txt");
        });
    let err = bundle_unprivileged(t.path());
    assert!(err.lines().any(|l| l.contains("B.txt") && l.contains("cannot be read")), "{err}");
    assert!(err.lines().any(|l| l.contains("b.txt") && l.contains("collides with `B.txt`")), "{err}");
    assert!(err.lines().any(|l| l.contains("A.txt") && l.contains("symbolic link")), "{err}");
}

#[test]
fn output_inside_the_evidence_folder_is_refused() {
    Test::new()
        .file("ev/a.txt", "a")
        .args(["bundle", "--evidence", "ev", "--out", "ev/bundle.tar"])
        .status(2)
        .stderr_contains("inside the evidence folder")
        .run();
}

#[test]
fn missing_and_empty_evidence_folders_are_usage_errors() {
    Test::new()
        .args(["bundle", "--evidence", "nope", "--out", "b.tar"])
        .status(2)
        .stderr_contains("cannot read evidence folder")
        .run();
    Test::new()
        .with(|d| fs::create_dir(d.join("ev")).unwrap())
        .args(["bundle", "--evidence", "ev", "--out", "b.tar"])
        .status(2)
        .stderr_contains("contains no files")
        .run();
}

/// An evidence "folder" that is a FIFO is refused, never waited on: the open that pins the
/// folder for the reads asks for a folder and does not block.
#[test]
fn an_evidence_fifo_is_refused_not_waited_on() {
    let t = Test::new().with(|d| {
        sh(d, "mkfifo pipe");
    });
    let out = std::process::Command::new("timeout")
        .args(["20", crate::support::SIGNET, "bundle", "--evidence", "pipe", "--out", "b.tar"])
        .current_dir(t.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "124 is a hang: {err}");
    assert!(err.contains("cannot read evidence folder") && err.contains("pipe"), "{err}");
}

/// A limit on processes that refuses threads is a clear error when `bundle` cannot run at all,
/// and otherwise the same bundle made on fewer threads: the walk and the reads fall back to the
/// calling thread, never waiting on a worker that was not started (one did, a hang). Run as a
/// user id of its own, whom the limit binds (root is exempt) and no other test's processes
/// count against; skipped when not root.
#[test]
fn a_limit_on_threads_is_an_error_or_the_same_bundle_never_a_hang() {
    let t = Test::new()
        .file("ev/a/1.txt", "one")
        .file("ev/a/b/2.txt", "two")
        .file("ev/c/3.txt", "three")
        .file("ev/4.txt", "four")
        .with(|dir| {
            sh(dir, "chmod -R a+rX .");
        });
    if String::from_utf8_lossy(&sh(t.path(), "id -u").stdout).trim() != "0" {
        eprintln!("skipped: the limit binds only a user that can be switched to as root");
        return;
    }
    let run = |limit: &str| {
        let script = format!(
            "timeout 20 setpriv --reuid=61947 --regid=61947 --clear-groups {limit} {} bundle --evidence ev --hash-only",
            crate::support::SIGNET
        );
        let out = std::process::Command::new("bash").arg("-c").arg(script).current_dir(t.path()).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, free, err) = run("");
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run("prlimit --nproc=1");
    assert_eq!(code, Some(2), "124 is a hang: {err}");
    assert!(err.contains("cannot start a thread") && err.contains("ulimit -u"), "{err}");
    // One thread beside the main one: the tar's hasher; the walk and the reads make do without.
    let (code, limited, err) = run("prlimit --nproc=2");
    assert_eq!(code, Some(0), "124 is a hang: {err}");
    assert_eq!(limited, free);
}

/// An output path that is a device, FIFO, socket, symbolic link or folder is never followed,
/// opened or replaced (run as root, `--out /dev/null` once turned /dev/null into a file).
#[test]
fn outputs_never_replace_special_files() {
    use std::os::unix::fs::FileTypeExt;
    let kinds = [
        ("null-dev", "a device"),
        ("pipe", "a FIFO"),
        ("link", "a symbolic link"),
        ("folder", "a folder"),
        ("sock", "a socket"),
    ];
    let commands: [&[&str]; 2] = [&["bundle", "--evidence", "ev", "--out"], &["sums", "ev", "--out"]];
    for cmd in commands {
        for (name, kind) in kinds {
            let t = Test::new()
                .file("ev/a.txt", "evidence")
                .file("target.txt", "keep me")
                .with(|dir| {
                    sh(dir, "mkfifo pipe && mknod null-dev c 1 3 && ln -s target.txt link && mkdir folder");
                    std::os::unix::net::UnixListener::bind(dir.join("sock")).unwrap();
                })
                .args(cmd.iter().chain([&name]))
                .status(2)
                .stderr_contains(kind)
                .stderr_contains("left it untouched")
                .run();
            let meta = fs::symlink_metadata(t.path(name)).unwrap();
            let ft = meta.file_type();
            let intact = match name {
                "null-dev" => ft.is_char_device(),
                "pipe" => ft.is_fifo(),
                "link" => ft.is_symlink() && fs::read_to_string(t.path("target.txt")).unwrap() == "keep me",
                "folder" => ft.is_dir(),
                _ => ft.is_socket(),
            };
            assert!(intact, "{cmd:?} {name}: replaced ({ft:?})\n{}", t.stderr);
        }
    }
    // The machine's own device, as a CI container's root would pass it.
    let t =
        Test::new().file("ev/a.txt", "x").args(["bundle", "--evidence", "ev", "--out", "/dev/null"]).status(2).run();
    assert!(fs::metadata("/dev/null").unwrap().file_type().is_char_device(), "{}", t.stderr);
}
