use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Exit, StageError};

/// Why a key could not be read, written or unlocked. Variants with `file: None` came from
/// in-memory PEM text; [`KeyError::with_file`] names the file once the caller knows it.
#[derive(Debug)]
pub enum KeyError {
    /// The password did not decrypt the key (CBC padding or the decrypted structure was wrong).
    WrongPassword {
        file: Option<PathBuf>,
    },
    /// A PEM other than `ENCRYPTED PRIVATE KEY`; `label` is what it was (e.g. `PRIVATE KEY`).
    NotEncrypted {
        file: Option<PathBuf>,
        label: String,
    },
    /// A well-formed key of another algorithm or curve; `found` names it.
    NotP256 {
        file: Option<PathBuf>,
        found: String,
    },
    /// Not parseable as PEM, or the DER inside is not what its label says.
    Malformed {
        file: Option<PathBuf>,
        detail: String,
    },
    /// Well-formed, but encrypted in a way signet will not attempt (PBES1, absurd scrypt cost).
    Unsupported {
        file: Option<PathBuf>,
        detail: String,
    },
    /// Encrypting failed: the OS random source or the encoder.
    Encrypt {
        detail: String,
    },
    /// No controlling terminal to read a password from.
    NoTerminal(io::Error),
    /// The terminal was there but the password could not be read (cancelled, not UTF-8, too long).
    Terminal(io::Error),
    /// `read_new_password` gave up; `last` says why the last attempt was refused.
    NewPassword {
        attempts: u32,
        last: String,
    },
    Io {
        file: PathBuf,
        action: &'static str,
        source: io::Error,
    },
}

impl KeyError {
    /// Names `path` in the message of an error that came from parsing its text.
    pub fn with_file(mut self, path: &Path) -> KeyError {
        match &mut self {
            KeyError::WrongPassword { file }
            | KeyError::NotEncrypted { file, .. }
            | KeyError::NotP256 { file, .. }
            | KeyError::Malformed { file, .. }
            | KeyError::Unsupported { file, .. } => *file = Some(path.to_path_buf()),
            KeyError::Encrypt { .. }
            | KeyError::NoTerminal(_)
            | KeyError::Terminal(_)
            | KeyError::NewPassword { .. }
            | KeyError::Io { .. } => {}
        }
        self
    }

    pub fn file(&self) -> Option<&Path> {
        match self {
            KeyError::WrongPassword { file }
            | KeyError::NotEncrypted { file, .. }
            | KeyError::NotP256 { file, .. }
            | KeyError::Malformed { file, .. }
            | KeyError::Unsupported { file, .. } => file.as_deref(),
            KeyError::Io { file, .. } => Some(file),
            KeyError::Encrypt { .. }
            | KeyError::NoTerminal(_)
            | KeyError::Terminal(_)
            | KeyError::NewPassword { .. } => None,
        }
    }
}

/// Labels of PEM blocks that hold a private key in the clear.
const PLAINTEXT_KEY_LABELS: [&str; 4] = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "OPENSSH PRIVATE KEY"];

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = match self.file() {
            Some(path) => path.display().to_string(),
            None => "the key".to_string(),
        };
        match self {
            KeyError::WrongPassword { .. } => write!(
                f,
                "{subject}: wrong password (the key did not decrypt). Type the password again; if it is lost, \
                 the key cannot be recovered: generate a new key and have it registered"
            ),
            KeyError::NotEncrypted { label, .. } if PLAINTEXT_KEY_LABELS.contains(&label.as_str()) => write!(
                f,
                "{subject}: is an unencrypted private key (-----BEGIN {label}-----); signet never accepts a private \
                 key stored unencrypted. Encrypt it (`openssl pkcs8 -topk8 -scrypt -in KEY -out KEY.enc`), then \
                 securely delete the unencrypted file"
            ),
            KeyError::NotEncrypted { label, .. } => write!(
                f,
                "{subject}: is a '{label}' PEM, not an encrypted private key \
                 (-----BEGIN ENCRYPTED PRIVATE KEY-----); give the signer's encrypted key file"
            ),
            KeyError::NotP256 { found, .. } => write!(
                f,
                "{subject}: is a {found} key; signet signs with ECDSA P-256 (prime256v1) keys only: \
                 generate a key with signet"
            ),
            KeyError::Malformed { detail, .. } => {
                write!(f, "{subject}: malformed key file: {detail}; check that the file is complete and unmodified")
            }
            KeyError::Unsupported { detail, .. } => write!(f, "{subject}: {detail}"),
            KeyError::Encrypt { detail } => write!(f, "cannot encrypt the key: {detail}"),
            KeyError::NoTerminal(source) => write!(
                f,
                "cannot read a password: {source}. Run signet from an interactive terminal: passwords are read \
                 only from the terminal, never from standard input, the environment or arguments"
            ),
            KeyError::Terminal(source) => write!(f, "cannot read the password from the terminal: {source}"),
            KeyError::NewPassword { attempts, last } => {
                write!(f, "no acceptable password after {attempts} attempts (last: {last}); run the command again")
            }
            KeyError::Io { file, action, source } => write!(f, "cannot {action} {}: {source}", file.display()),
        }
    }
}

impl std::error::Error for KeyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            KeyError::NoTerminal(source) | KeyError::Terminal(source) | KeyError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl StageError for KeyError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }

    fn location(&self) -> Option<(String, Option<usize>)> {
        self.file().map(|path| (path.display().to_string(), None))
    }
}
