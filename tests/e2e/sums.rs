//! `sums` writes what `sha256sum -c --strict` accepts, and `--check` is stricter than coreutils.

use crate::support::{Test, sh};

fn tree() -> Test {
    Test::new()
        .file("dist/app.bin", vec![1u8; 70_000])
        .file("dist/docs/manual.pdf", "%PDF-1.7 stand-in")
        .file("dist/docs-index.html", "<a>")
        .file("dist/space name.txt", "spaces are fine")
        .file("dist/ünïcode.txt", "utf-8 names too")
}

#[test]
fn output_passes_coreutils_strict_check() {
    let t = tree().args(["sums", "dist", "--out", "SHA256SUMS"]).run();
    let text = std::fs::read_to_string(t.path("SHA256SUMS")).unwrap();
    let paths: Vec<&str> = text.lines().map(|l| &l[66..]).collect();
    assert_eq!(
        paths,
        ["dist/app.bin", "dist/docs-index.html", "dist/docs/manual.pdf", "dist/space name.txt", "dist/ünïcode.txt"],
        "byte order of full paths"
    );
    assert!(text.lines().all(|l| {
        l.as_bytes()[64..66] == *b"  " && l[..64].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    }));
    let out = sh(t.dir.path(), "sha256sum -c --strict SHA256SUMS");
    assert_eq!(String::from_utf8_lossy(&out.stdout).matches(": OK").count(), 5);
    // Same digests as coreutils computes itself.
    let gnu = sh(t.dir.path(), "find dist -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum").stdout;
    assert_eq!(String::from_utf8_lossy(&gnu), text);
}

#[test]
fn check_accepts_every_coreutils_spelling() {
    for flags in ["", "-b", "--tag"] {
        tree()
            .with(|d| {
                sh(
                    d,
                    &format!(
                        "cd dist && find . -type f -printf '%P\\n' | sort | xargs -d '\\n' sha256sum {flags} > ../S"
                    ),
                );
            })
            .args(["sums", "--check", "S", "--root", "dist"])
            .stdout_contains("5 files OK")
            .run();
    }
    // A name with a backslash makes coreutils write an escaped line; we parse it, then refuse
    // the name itself by the one path-safety rule.
    Test::new()
        .file("d/a\\b", "x")
        .with(|d| {
            sh(d, "cd d && sha256sum 'a\\b' > ../S && grep -q '^\\\\' ../S");
        })
        .args(["sums", "--check", "S", "--root", "d"])
        .status(2)
        .stderr_contains("backslash")
        .run();
}

#[test]
fn check_reports_mismatch_missing_and_extra_together() {
    let t = tree().args(["sums", ".", "--root", "dist", "--out", "SHA256SUMS"]).run();
    std::fs::rename(t.path("SHA256SUMS"), t.path("S")).unwrap();
    let t = Test::in_dir(t.dir)
        .with(|d| {
            std::fs::write(d.join("dist/app.bin"), "tampered").unwrap();
            std::fs::remove_file(d.join("dist/docs-index.html")).unwrap();
            std::fs::write(d.join("dist/smuggled.exe"), "extra").unwrap();
        })
        .args(["sums", "--check", "S", "--root", "dist", "--format", "json"])
        .status(1)
        .run();
    let j = t.json();
    assert_eq!(j["mismatched"], serde_json::json!(["app.bin"]));
    assert_eq!(j["missing"], serde_json::json!(["docs-index.html"]));
    assert_eq!(j["extra"], serde_json::json!(["smuggled.exe"]));
    assert_eq!(j["ok"], 3);
    // coreutils would have passed the extra file and only warned about the missing one.
}

#[test]
fn check_refuses_escaping_paths_and_malformed_lines_with_file_and_line() {
    let h = "0".repeat(64);
    for (content, msg) in [
        (format!("{h}  a\n{h}  ../etc/passwd\n"), "S:2: path `../etc/passwd`: contains `..`"),
        (format!("{h}  /etc/passwd\n"), "S:1: path `/etc/passwd`: absolute path"),
        (format!("{h}  a\n{h} b\n"), "S:2: expected two spaces"),
        (format!("{}  a\n", "0".repeat(40)), "S:1: `0000000000000000000000000000000000000000` is not a SHA-256 digest"),
        (format!("{h}  a"), "S:1: last line has no newline"),
        (format!("{h}  a\r\n"), "S:1: CRLF"),
        (format!("MD5 (a) = {h}\n"), "S:1: tagged line uses MD5"),
    ] {
        Test::new()
            .file("d/a", "a")
            .file("S", &content)
            .args(["sums", "--check", "S", "--root", "d"])
            .status(2)
            .stderr_contains(msg)
            .run();
    }
}

#[test]
fn paths_outside_the_root_are_refused() {
    Test::new().file("d/a", "a").args(["sums", "../x", "--root", "d"]).status(2).stderr_contains("contains `..`").run();
}

#[test]
fn bundle_sums_equal_standalone_sums() {
    let t = tree().args(["bundle", "--evidence", "dist", "--out", "out/b.tar", "--sums", "out/FROM-BUNDLE"]).run();
    let t = Test::in_dir(t.dir).args(["sums", ".", "--root", "dist"]).run();
    assert_eq!(std::fs::read_to_string(t.path("out/FROM-BUNDLE")).unwrap(), t.stdout);
    sh(&t.path("dist"), "sha256sum -c --strict ../out/FROM-BUNDLE >/dev/null");
}

/// A folder its user may enter but not list (mode 0711, common for shared workspaces) is still
/// one whose files are opened beneath it through no link, never by a path that follows a link:
/// `sums ev/a/f` with `ev/a` a link to another folder is refused, not hashed. Run as a user id
/// of its own (root reads everything); skipped when not root.
#[test]
fn a_folder_that_cannot_be_listed_still_opens_nothing_through_a_link() {
    let t = Test::new().file("w/ev/z", "z").file("w/outside/f", "SECRET").with(|dir| {
        sh(dir, "ln -s ../outside w/ev/a && chmod -R a+rX . && chmod 0711 w");
    });
    if String::from_utf8_lossy(&sh(t.path(), "id -u").stdout).trim() != "0" {
        eprintln!("skipped: needs root to switch to a user the folder's mode binds");
        return;
    }
    let script = format!("setpriv --reuid=61948 --regid=61948 --clear-groups {} sums ev/a/f", crate::support::SIGNET);
    let out =
        std::process::Command::new("bash").arg("-c").arg(script).current_dir(t.path().join("w")).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("symbolic link") && !String::from_utf8_lossy(&out.stdout).contains("ev/a/f"), "{err}");
}
