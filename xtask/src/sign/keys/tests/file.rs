use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;

use super::super::{KeyError, encrypt_pem, generate, read_public_key, read_signing_key, write_key_file};
use super::{PASSWORD, TempDir};

#[test]
fn creates_mode_0600_and_never_overwrites() {
    let dir = TempDir::new("write");
    let path = dir.path().join("alice.key");
    write_key_file(&path, "first\n").unwrap();
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o600);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "first\n");

    let err = write_key_file(&path, "second\n").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("alice.key"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "first\n");

    // A dangling symlink is a name too: following it could create a file elsewhere.
    let link = dir.path().join("link.key");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
    assert_eq!(write_key_file(&link, "x").unwrap_err().kind(), ErrorKind::AlreadyExists);
    assert!(!dir.path().join("nowhere").exists());

    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "no temp files left behind: {names:?}");
}

#[test]
fn missing_folder_is_an_error() {
    let dir = TempDir::new("nofolder");
    let err = write_key_file(&dir.path().join("no/such/dir/k.pem"), "x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn read_errors_name_the_file() {
    let dir = TempDir::new("read");
    let key = generate();
    let path = dir.path().join("bob.key");
    write_key_file(&path, &encrypt_pem(&key, PASSWORD).unwrap()).unwrap();
    assert_eq!(read_signing_key(&path, PASSWORD).unwrap().to_bytes(), key.to_bytes());

    let err = read_signing_key(&path, b"not it").unwrap_err();
    assert!(matches!(err, KeyError::WrongPassword { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&path.display().to_string()), "{err}");

    let missing = dir.path().join("missing.key");
    let err = read_signing_key(&missing, PASSWORD).unwrap_err();
    assert!(matches!(err, KeyError::Io { .. }) && err.to_string().contains("missing.key"), "{err}");

    let err = read_public_key(&path).unwrap_err();
    assert!(matches!(err, KeyError::Malformed { .. }) && err.to_string().contains("bob.key"), "{err}");

    let big = dir.path().join("big.key");
    std::fs::write(&big, vec![b'A'; 100 << 10]).unwrap();
    assert!(matches!(read_signing_key(&big, PASSWORD).unwrap_err(), KeyError::Malformed { .. }));
}
