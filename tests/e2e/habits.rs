//! Common mistakes get a clear answer (issue #16, part 9, and §11.300's password strength): a
//! wrong `--root`, a missing `signet.toml`, a missing key file, a mistyped release id in the
//! ceremony, a guessable password at keygen.

use crate::signing::{PASSWORD, at_terminal, release_repo, verify};
use crate::support::Test;

#[test]
fn a_nonexistent_root_is_no_such_folder() {
    let ran = Test::new().args(["--root", "no/such/repo", "rtm-gate"]).status(2).run();
    assert!(ran.stderr.contains("--root no/such/repo: no such folder"), "{}", ran.stderr);
}

#[test]
fn a_command_that_needs_signet_toml_says_so() {
    let ran = Test::new()
        .file("dist/bundle.tar", vec![0u8; 10_240])
        .args(["request", "--release", "v1.0.0", "--bundle", "dist/bundle.tar"])
        .status(2)
        .run();
    assert!(ran.stderr.contains("signet.toml here: this command needs its [signing] policy"), "{}", ran.stderr);
}

#[test]
fn the_ceremony_names_a_missing_key_file_and_asks_again_for_a_mistyped_release_id() {
    let repo = release_repo();
    let d = repo.path();
    let (code, out) = at_terminal(d, &["sign", "--release", "v1.4.0", "--role", "QA", "--key", "keys/dnaa.key"], &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no such file: keys/dnaa.key"), "{out}");

    let dialogue = [
        ("type the release id", "v1.4.1"),
        ("2 tries left", "v1.4.0"),
        ("Reason", "reviewed"),
        ("Password: ", PASSWORD),
    ];
    let (code, out) =
        at_terminal(d, &["sign", "--release", "v1.4.0", "--role", "QA", "--key", "keys/dana.key"], &dialogue);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("`v1.4.1` is not `v1.4.0`"), "{out}");
    let (_, out) = verify(d, "signatures/v1.4.0");
    assert!(out.contains("signed   QA (REVIEWER) by Dana Whitfield"), "{out}");

    let three_wrong = [("type the release id", "x"), ("2 tries left", "y"), ("1 tries left", "z")];
    let (code, out) = at_terminal(
        d,
        &["sign", "--release", "v1.4.0", "--role", "ENGINEERING", "--key", "keys/eli.key"],
        &three_wrong,
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("the release id was not typed in 3 tries; nothing was signed"), "{out}");
}

#[test]
fn keygen_refuses_a_guessable_password_and_says_why() {
    let t = Test::new();
    let dialogue = [
        ("key password: ", "Password123!"),
        ("key password: ", "Whitfield1990!"),
        ("key password: ", PASSWORD),
        ("Repeat the password: ", PASSWORD),
    ];
    let args = ["keygen", "--signer", "dana", "--name", "Dana Whitfield", "--out", "keys/dana.key"];
    let (code, out) = at_terminal(t.path(), &args, &dialogue);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("too easy to guess").count(), 2, "{out}");
    assert!(!out.contains("Whitfield1990!") && !out.contains("Password123!"), "never echoed: {out}");
}

/// A bundle, key or record file that is a FIFO or a device is refused at once (exit 2), never
/// waited on: `timeout` would end a hang with 124.
#[test]
fn a_fifo_or_device_is_refused_never_waited_on() {
    let repo = crate::signing::release_repo();
    let d = repo.path();
    assert!(crate::support::sh(d, "mkfifo fifo").status.success());
    let run = |args: &[&str]| {
        let out = std::process::Command::new("timeout")
            .arg("30")
            .arg(crate::support::SIGNET)
            .args(args)
            .current_dir(d)
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    for bundle in ["fifo", "/dev/zero"] {
        for args in [
            vec!["verify", "--bundle", bundle, "--manifest", "signatures/v1.4.0"],
            vec!["request", "--release", "v2", "--bundle", bundle],
            vec!["report", "--release", "v1.4.0", "--bundle", bundle, "--out", "rep"],
        ] {
            let (code, err) = run(&args);
            assert_eq!(code, Some(2), "{args:?}: {err}");
            assert!(err.contains("not a regular file"), "{args:?}: {err}");
        }
    }
    // A pull request that puts a FIFO where the pinned Sigstore trusted root goes.
    assert!(crate::support::sh(d, "mkfifo signatures/trusted_root.json").status.success());
    let (code, err) = run(&["request", "--release", "v2", "--bundle", "dist/bundle.tar"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("trusted_root.json") && err.contains("not a regular file"), "{err}");
}
