//! The terminal reader. Line editing is tested on byte slices; echo suppression and mode
//! restoration for real, through a pseudo-terminal that `script` (util-linux) provides to a
//! child copy of this test binary.

use std::io::{ErrorKind, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rustix::termios::{LocalModes, tcgetattr};

use super::super::tty::{open_tty, read_line_for_test};
use super::super::{KeyError, is_interactive, read_new_password, read_password};
use super::test_name;

const CHILD_ENV: &str = "SIGNET_KEYS_TTY_CHILD";

#[test]
fn line_editing() {
    assert_eq!(*read_line_for_test(b"abc\n").unwrap(), "abc");
    assert_eq!(*read_line_for_test(b"abX\x7fc\r").unwrap(), "abc");
    assert_eq!(*read_line_for_test("pä\x08\x08q\n".as_bytes()).unwrap(), "q");
    assert_eq!(*read_line_for_test(b"junk\x15ok\n").unwrap(), "ok");
    assert_eq!(*read_line_for_test(b"no newline").unwrap(), "no newline");
    assert_eq!(read_line_for_test(b"ab\x03cd\n").unwrap_err().kind(), ErrorKind::Interrupted);
    assert_eq!(read_line_for_test(b"\x04").unwrap_err().kind(), ErrorKind::UnexpectedEof);
    assert_eq!(read_line_for_test(b"").unwrap_err().kind(), ErrorKind::UnexpectedEof);
    assert_eq!(read_line_for_test(b"\xff\xfe\n").unwrap_err().kind(), ErrorKind::InvalidData);
    assert_eq!(read_line_for_test(&[b'a'; 2000]).unwrap_err().kind(), ErrorKind::InvalidInput);
}

#[test]
fn not_interactive_when_stdin_is_not_a_terminal() {
    let exe = std::env::current_exe().unwrap();
    let name = test_name(module_path!(), "child_not_interactive");
    let out = Command::new(exe)
        .args([name.as_str(), "--exact", "--ignored", "--nocapture"])
        .env(CHILD_ENV, "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("1 passed"), "{text}{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
#[ignore = "run by not_interactive_when_stdin_is_not_a_terminal"]
fn child_not_interactive() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    assert!(!is_interactive());
}

/// What the pty child is sent: each input after the given prompt appears.
const SCRIPT: [(&str, &str); 5] = [
    ("Key password: ", "Tr0ub4dor-and-morX\x7fe\r"),
    ("Again: ", "abc\x03"),
    ("New key password: ", "short\r"),
    ("New key password: ", "correct-horse-battery-staple\r"),
    ("Repeat the password: ", "correct-horse-battery-staple\r"),
];
const CHILD_DONE: &str = "PTY-CHILD-DONE";

#[test]
fn password_is_not_echoed_and_the_terminal_is_restored() {
    if Command::new("script").arg("--version").output().is_err() {
        signet_dev::missing_prerequisite("`script` (util-linux) is not installed");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let name = test_name(module_path!(), "child_on_pty");
    let command = format!("'{}' {name} --exact --ignored --nocapture --test-threads=1", exe.display());
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env(CHILD_ENV, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = String::new();
    let mut from = 0;
    let wait_for = |marker: &str, seen: &mut String, from: &mut usize| -> bool {
        while Instant::now() < deadline {
            if let Some(at) = seen[*from..].find(marker) {
                *from += at + marker.len();
                return true;
            }
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(chunk) => seen.push_str(&String::from_utf8_lossy(&chunk)),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return seen[*from..].contains(marker),
            }
        }
        false
    };
    let mut ok = true;
    for (prompt, input) in SCRIPT {
        if !wait_for(prompt, &mut seen, &mut from) {
            ok = false;
            break;
        }
        stdin.write_all(input.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
    ok = ok && wait_for(CHILD_DONE, &mut seen, &mut from);
    if !ok {
        let _ = child.kill();
    }
    drop(stdin);
    let status = child.wait().unwrap();
    let mut errors = String::new();
    let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut errors));
    if !ok && !seen.contains(SCRIPT[0].0) && errors.contains("pseudo-terminal") {
        signet_dev::missing_prerequisite(&format!("`script` cannot allocate a pseudo-terminal here: {errors}"));
        return;
    }
    assert!(ok && status.success(), "pty child failed ({status}); output:\n{seen}\n{errors}");
    for secret in ["Tr0ub4dor", "correct-horse"] {
        assert!(!seen.contains(secret), "{secret} was echoed:\n{seen}");
    }
    assert!(seen.contains("Refused: the password has 5 characters"), "{seen}");
}

#[test]
#[ignore = "run on a pseudo-terminal by password_is_not_echoed_and_the_terminal_is_restored"]
fn child_on_pty() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let modes = || tcgetattr(open_tty().unwrap()).unwrap().local_modes;
    let before = modes();
    assert!(before.contains(LocalModes::ECHO | LocalModes::ICANON | LocalModes::ISIG), "{before:?}");
    assert!(is_interactive());

    assert_eq!(*read_password("Key password: ").unwrap(), "Tr0ub4dor-and-more");
    assert_eq!(modes(), before, "mode restored after a read");

    assert_eq!(read_password("Again: ").unwrap_err().kind(), ErrorKind::Interrupted);
    assert_eq!(modes(), before, "mode restored after Ctrl-C");

    let new = read_new_password("alice", &[]).unwrap_or_else(|e: KeyError| panic!("{e}"));
    assert_eq!(*new, "correct-horse-battery-staple");
    assert_eq!(modes(), before, "mode restored after read_new_password");
    println!("{CHILD_DONE}");
}
