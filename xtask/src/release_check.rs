//! `release-check`: every stage that exists, in pipeline order, on the current repository,
//! writing only under `target/release-check/` (never `signatures/`), ending with one summary
//! of what passed, what would block the release and the command that fixes each finding.

use std::path::{Path, PathBuf};

use crate::bundle::{self, BundleOptions};
use crate::config::{self, Config};
use crate::error::StageError;
use crate::sums;

pub const OUT_DIR: &str = "target/release-check";

#[derive(Debug, Clone, serde::Serialize)]
pub struct StageResult {
    pub stage: &'static str,
    pub passed: bool,
    pub detail: String,
    /// The exact command that fixes the finding, when one exists.
    pub fix: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ReleaseCheck {
    pub root: PathBuf,
    pub out_dir: PathBuf,
    pub stages: Vec<StageResult>,
}

impl ReleaseCheck {
    pub fn passed(&self) -> bool {
        self.stages.iter().all(|s| s.passed)
    }
}

pub fn run(root: &Path) -> Result<ReleaseCheck, Box<dyn StageError>> {
    let config: Config = config::load(root).map_err(|e| Box::new(e) as Box<dyn StageError>)?;
    let out_dir = root.join(OUT_DIR);
    let mut stages = Vec::new();
    stages.push(bundle_stage(root, &config, &out_dir));
    if stages.last().is_some_and(|s| s.passed) {
        stages.push(sums_stage(&out_dir, &root.join(&config.bundle.evidence)));
    }
    Ok(ReleaseCheck { root: root.to_path_buf(), out_dir, stages })
}

fn bundle_stage(root: &Path, config: &Config, out_dir: &Path) -> StageResult {
    let opts = BundleOptions {
        evidence: root.join(&config.bundle.evidence),
        out: Some(out_dir.join("bundle.tar")),
        gzip: false,
        sums: Some(out_dir.join("SHA256SUMS")),
        progress: true,
    };
    match bundle::bundle(&opts) {
        Ok(r) => StageResult {
            stage: "bundle",
            passed: true,
            detail: format!("{} files, {} bytes, sha256 {}", r.entries, r.size, r.sha256),
            fix: None,
        },
        Err(e) => StageResult {
            stage: "bundle",
            passed: false,
            detail: e.to_string(),
            fix: Some(format!(
                "fix the paths above, then: signet --root {} bundle --evidence {} --out {}",
                root.display(),
                config.bundle.evidence.display(),
                Path::new(OUT_DIR).join("bundle.tar").display()
            )),
        },
    }
}

/// The SHA256SUMS written from the bundle's single read must agree with an independent
/// re-hash of the evidence folder: proves the bundle holds exactly that folder.
fn sums_stage(out_dir: &Path, evidence: &Path) -> StageResult {
    let file = out_dir.join("SHA256SUMS");
    match sums::check(&file, evidence) {
        Ok(r) if r.passed() => StageResult {
            stage: "sums",
            passed: true,
            detail: format!("{} files re-hashed, all match", r.ok),
            fix: None,
        },
        Ok(r) => StageResult {
            stage: "sums",
            passed: false,
            detail: format!(
                "evidence changed during the check: {} differ, {} missing, {} extra",
                r.mismatched.len(),
                r.missing.len(),
                r.extra.len()
            ),
            fix: Some("stop whatever writes to the evidence folder, then run release-check again".into()),
        },
        Err(e) => StageResult { stage: "sums", passed: false, detail: e.to_string(), fix: None },
    }
}
