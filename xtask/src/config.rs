//! `signet.toml` at the root of the regulated repository. Missing file: defaults. Unknown keys
//! are errors, so a typo in a regulated configuration cannot silently disable a check.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Exit, StageError};

pub const FILE_NAME: &str = "signet.toml";

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub bundle: BundleConfig,
    pub requirements: RequirementsConfig,
    pub signing: crate::sign::policy::SigningConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RequirementsConfig {
    /// Globs (relative to the root) of the StrictDoc documents under review.
    pub docs: Vec<String>,
    /// Globs of the JUnit XML files whose test cases verify them.
    pub junit: Vec<String>,
    /// Where `rtm-gate` writes index.json, rtm.html and rtm-junit.xml.
    pub out: PathBuf,
    /// Requirements without a passing linked test, and tests naming undefined UIDs, block the
    /// gate and release-check (as `rtm-gate --require-verification` does).
    pub require_verification: bool,
    /// Draft requirements need a passing test too (default). `false` exempts a requirement whose
    /// STATUS is Draft from `require_verification`, only where `--fail-on-suspect` also holds
    /// (release-check always), so that making one Draft takes a reviewer's stamp.
    pub verify_drafts: bool,
}

impl Default for RequirementsConfig {
    fn default() -> Self {
        RequirementsConfig {
            docs: vec!["regulatory-docs/**/*.sdoc".into()],
            junit: Vec::new(),
            out: PathBuf::from("target/rtm"),
            require_verification: false,
            verify_drafts: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BundleConfig {
    /// The evidence folder, relative to the root.
    pub evidence: PathBuf,
}

impl Default for BundleConfig {
    fn default() -> Self {
        BundleConfig { evidence: PathBuf::from("evidence") }
    }
}

#[derive(Debug)]
pub enum ConfigError {
    /// A command that needs the file found none.
    Missing {
        path: PathBuf,
    },
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Missing { path } => write!(
                f,
                "no {} here: this command needs its [signing] policy (see the README's `signet.toml` section); \
                 run it in the regulated repository, or pass --root",
                path.display()
            ),
            ConfigError::Read { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            ConfigError::Malformed { path, line, column, message } => {
                write!(f, "{}:{line}:{column}: {message}", path.display())
            }
        }
    }
}

impl StageError for ConfigError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
    fn location(&self) -> Option<(String, Option<usize>)> {
        match self {
            ConfigError::Malformed { path, line, .. } => Some((path.display().to_string(), Some(*line))),
            ConfigError::Read { .. } | ConfigError::Missing { .. } => None,
        }
    }
}

pub fn load(root: &Path) -> Result<Config, ConfigError> {
    let path = root.join(FILE_NAME);
    let text = match crate::fsx::read::read_text(&path, crate::fsx::read::MAX_RECORD_BYTES) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    toml::from_str(&text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, column) = line_col(&text, offset);
        ConfigError::Malformed { path, line, column, message: e.message().trim().to_string() }
    })
}

/// As [`load`], for the commands that need the file: its absence is an error, not defaults.
pub fn load_required(root: &Path) -> Result<Config, ConfigError> {
    let path = root.join(FILE_NAME);
    if !path.exists() {
        return Err(ConfigError::Missing { path });
    }
    load(root)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
