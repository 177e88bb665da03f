//! The final gate's results, as types: the signatures that verified, the roles still awaited,
//! and every problem, each naming the signature file it concerns. The report and release-check
//! read these fields; the sentences are only how they are shown.

use serde::Serialize;

use super::record::Part11Record;
use crate::formats::ids::{ReleaseId, Role};

#[derive(Debug, Clone, Serialize)]
pub struct VerifiedSignature {
    pub file: String,
    pub envelope_sha256: String,
    pub record: Part11Record,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub release: ReleaseId,
    pub bundle_sha256: String,
    pub signatures: Vec<VerifiedSignature>,
    pub awaiting: Vec<Awaiting>,
    pub problems: Vec<Problem>,
}

/// One reason the final gate fails a release; `file` names the signature file it concerns, if
/// any. Shown (and serialised) as `<file>: <message>`, the gate's sentence since v0.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn signature(file: &str, message: impl Into<String>) -> Problem {
        Problem { file: Some(file.to_owned()), message: message.into() }
    }
}

impl From<String> for Problem {
    fn from(message: String) -> Problem {
        Problem { file: None, message }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{file}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A required role with no valid signature yet, and the roles that must sign before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Awaiting {
    pub role: Role,
    pub meaning: String,
    pub needs: Vec<Role>,
}

impl std::fmt::Display for Awaiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.role, self.meaning)?;
        if !self.needs.is_empty() {
            write!(f, " — needs {} first", self.needs.join(", "))?;
        }
        Ok(())
    }
}

/// Both serialise as the sentence they display, so `--format json` reads as it always has.
macro_rules! serialize_as_display {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}
serialize_as_display!(Problem, Awaiting);

impl VerifyReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.awaiting.is_empty()
    }
}
