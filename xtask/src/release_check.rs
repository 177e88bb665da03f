//! `release-check`: every stage that exists, in pipeline order, on the current repository,
//! writing only under `target/release-check/` (never `signatures/`), ending with one summary
//! of what passed, what would block the release and the command that fixes each finding.

use std::path::{Path, PathBuf};

use crate::bundle::{self, BundleOptions, assemble};
use crate::config::{self, Config};
use crate::error::StageError;
use crate::report;
use crate::rtm::gate::{self, GateOptions, ReviewState};
use crate::sign::verify::{self, ReleaseRecord};
use crate::sign::{Timestamp, layout, release_record, request};
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

/// `release`: the release id whose signatures to check, if any are under `signatures/`.
pub fn run(root: &Path, release: Option<&str>) -> Result<ReleaseCheck, Box<dyn StageError>> {
    let config: Config = config::load(root).map_err(|e| Box::new(e) as Box<dyn StageError>)?;
    let out_dir = root.join(OUT_DIR);
    let mut stages = vec![rtm_stage(root, &config, &out_dir)];
    stages.push(assemble_stage(root, &config, &out_dir));
    if stages.last().is_some_and(|s| s.passed) {
        stages.push(bundle_stage(root, &out_dir));
    }
    if stages.last().is_some_and(|s| s.passed && s.stage == "bundle") {
        stages.push(sums_stage(&out_dir));
        stages.push(request_stage(root, &config, &out_dir, release.unwrap_or("preview")));
        if let Some(release) = release {
            stages.push(verify_stage(root, &config, &out_dir, release));
        }
        if !config.signing.required.is_empty() {
            stages.push(report_stage(root, &config, &out_dir, release));
        }
    }
    Ok(ReleaseCheck { root: root.to_path_buf(), out_dir, stages })
}

/// What signers would be asked for, written under target/ only: signatures/ is never touched.
fn request_stage(root: &Path, config: &Config, out_dir: &Path, release: &str) -> StageResult {
    if config.signing.required.is_empty() {
        return StageResult {
            stage: "request",
            passed: true,
            detail: "no [[signing.required]] roles in signet.toml: nothing to sign".into(),
            fix: None,
        };
    }
    let opts = request::RequestOptions {
        root: root.to_path_buf(),
        release: release.to_string(),
        bundle: out_dir.join("bundle.tar"),
        sums: Some(tree(out_dir).join(assemble::SUMS)),
        index: Some(tree(out_dir).join(assemble::RTM_DIR).join("index.json")),
        commits: Vec::new(),
    };
    let built = request::build(&opts, &config.signing).and_then(|r| request::write(&r, out_dir).map(|()| r));
    match built {
        Ok(r) => {
            let roles: Vec<String> = r.required.iter().map(|q| format!("{} ({})", q.role, q.meaning)).collect();
            StageResult {
                stage: "request",
                passed: true,
                detail: format!("preview written to request.json/request.md; signatures needed: {}", roles.join(", ")),
                fix: None,
            }
        }
        Err(e) => StageResult { stage: "request", passed: false, detail: e.to_string(), fix: None },
    }
}

/// The evidence report (HTML and PDF/A) under target/release-check/report/: of the collected
/// signatures when `--release` names a requested release, else of the request preview.
fn report_stage(root: &Path, config: &Config, out_dir: &Path, release: Option<&str>) -> StageResult {
    let result = (|| -> Result<(report::Prepared, Vec<PathBuf>), report::ReportError> {
        let requested = match release {
            Some(id) => Some(layout::release_dir(root, id)?).filter(|d| d.join(layout::REQUEST).exists()),
            None => None,
        };
        let release = match requested {
            Some(dir) => {
                report::Release { record: ReleaseRecord::from_folder(root, &dir, &config.signing)?, preview: false }
            }
            None => report::preview(root, &release_record::load(out_dir)?.0, &config.signing)?,
        };
        let paths = report::Paths {
            bundle: out_dir.join("bundle.tar"),
            sums: tree(out_dir).join(assemble::SUMS),
            index: tree(out_dir).join(assemble::RTM_DIR).join("index.json"),
        };
        let prepared = report::build(&release, &paths, Timestamp::now())?;
        let opts = report::RenderOptions { pdf: true, templates: None };
        let written = report::write(&prepared, &out_dir.join("report"), &opts)?;
        Ok((prepared, written))
    })();
    match result {
        Ok((prepared, written)) => {
            let names: Vec<String> =
                written.iter().filter_map(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
            StageResult {
                stage: "report",
                passed: true,
                detail: format!("{} written to report/ — {}", names.join(", "), prepared.report.document.status_text),
                fix: None,
            }
        }
        Err(e) => StageResult { stage: "report", passed: false, detail: e.to_string(), fix: None },
    }
}

/// The final gate over `signatures/<release>/`, read-only, against the bundle built here.
fn verify_stage(root: &Path, config: &Config, out_dir: &Path, release: &str) -> StageResult {
    let result = (|| {
        let dir = layout::release_dir(root, release)?;
        if !dir.is_dir() {
            return Err(crate::sign::SignError::Refused(format!(
                "no signatures collected for {release}: {} does not exist; the release workflow creates it \
                 (create it first with `signet request --release {release} --bundle <bundle.tar>`)",
                dir.display()
            )));
        }
        let record = ReleaseRecord::from_folder(root, &dir, &config.signing)?;
        let sha = release_record::file_digest(&out_dir.join("bundle.tar"))?.0.hex();
        verify::verify(&record, &sha, Timestamp::now())
    })();
    match result {
        Ok(r) if r.passed() => StageResult {
            stage: "verify",
            passed: true,
            detail: format!("{} signature(s) valid", r.signatures.len()),
            fix: None,
        },
        Ok(r) => {
            let mut detail =
                format!("{} valid, {} awaiting, {} problem(s)", r.signatures.len(), r.awaiting.len(), r.problems.len());
            for line in
                r.awaiting.iter().map(|a| format!("awaiting {a}")).chain(r.problems.iter().map(ToString::to_string))
            {
                detail.push('\n');
                detail.push_str(&line);
            }
            let fix = r
                .awaiting
                .iter()
                .map(|a| {
                    let role = &a.role;
                    format!("the {role} signer runs: signet sign --release {release} --role {role} --key <their key>")
                })
                .collect::<Vec<_>>()
                .join("\n");
            StageResult { stage: "verify", passed: false, detail, fix: (!fix.is_empty()).then_some(fix) }
        }
        Err(e) => StageResult { stage: "verify", passed: false, detail: e.to_string(), fix: None },
    }
}

/// The gate as a release needs it: failing tests and any unreviewed or suspect requirement block,
/// and unverified requirements too when `[requirements] require_verification` is set.
fn rtm_stage(root: &Path, config: &Config, out_dir: &Path) -> StageResult {
    let opts = GateOptions {
        root: root.to_path_buf(),
        docs: config.requirements.docs.clone(),
        junit: config.requirements.junit.clone(),
        out: Some(out_dir.join("rtm")),
        fail_on_suspect: true,
        require_verification: config.requirements.require_verification,
        exempt_drafts: !config.requirements.verify_drafts,
    };
    let report = match gate::run(&opts) {
        Ok(report) => report,
        Err(e) => {
            return StageResult { stage: "rtm-gate", passed: false, detail: e.to_string(), fix: None };
        }
    };
    let s = &report.index.summary;
    let mut detail = format!(
        "{} requirements: {} reviewed, {} unreviewed, {} suspect-native, {} suspect-inherited; \
         tests: {} passed, {} failed, {} errors, {} skipped",
        s.requirements,
        s.state(ReviewState::Reviewed),
        s.state(ReviewState::Unreviewed),
        s.state(ReviewState::SuspectNative),
        s.state(ReviewState::SuspectInherited),
        s.tests.passed,
        s.tests.failed,
        s.tests.errored,
        s.tests.skipped
    );
    for f in report.findings.shown.iter().filter(|f| f.blocking) {
        detail.push_str(&format!("\n{}:{}: {}", f.file, f.line, f.message));
    }
    if let Some(more) = report.findings.more() {
        detail.push_str(&format!("\n{more}"));
    }
    let passed = report.exit == crate::error::Exit::Pass;
    StageResult { stage: "rtm-gate", passed, detail, fix: (!passed).then(|| rtm_fix(&report, root)) }
}

/// The commands that clear the gate's findings: re-review (then stamp) what is not reviewed,
/// and make the failing tests pass.
fn rtm_fix(report: &gate::GateReport, root: &Path) -> String {
    use crate::rtm::verification::Verification;
    let reqs = &report.index.requirements;
    let to_review: Vec<&str> =
        reqs.iter().filter(|r| r.state != ReviewState::Reviewed).map(|r| r.uid.as_str()).collect();
    let mut fixes = Vec::new();
    let failing: Vec<&str> =
        reqs.iter().flat_map(|r| r.tests.iter()).filter(|t| t.outcome.is_failure()).map(|t| t.id.as_str()).collect();
    if !failing.is_empty() || reqs.iter().any(|r| r.verification == Verification::Failed) {
        let mut failing = failing;
        failing.sort_unstable();
        failing.dedup();
        fixes.push(format!("make these tests pass, then re-run the suite: {}", failing.join(", ")));
    }
    let unverified: Vec<&str> =
        reqs.iter().filter(|r| r.verification == Verification::Unverified).map(|r| r.uid.as_str()).collect();
    if report.findings.blocks(crate::rtm::gate::FindingKind::Unverified) {
        fixes.push(format!(
            "add a passing test that verifies each of {} (name the UID in the requirement's VERIFIES field or in \
             the test's `verifies` property), then re-run the suite",
            unverified.join(", ")
        ));
    }
    if !to_review.is_empty() {
        fixes.push(format!(
            "review {} against their parents, then: signet --root {} stamp --by \"<your name>\" --uid {}",
            to_review.join(", "),
            root.display(),
            to_review.join(" ")
        ));
    }
    fixes.join("\n")
}

/// The evidence tree the bundle is made of (`bundle::assemble`).
fn tree(out_dir: &Path) -> PathBuf {
    out_dir.join("evidence-tree")
}

/// The seed-001 tree: the evidence, the RTM gate's outputs and a SHA256SUMS of both.
fn assemble_stage(root: &Path, config: &Config, out_dir: &Path) -> StageResult {
    let evidence = root.join(&config.bundle.evidence);
    match assemble::assemble(&evidence, &out_dir.join("rtm"), &tree(out_dir)) {
        Ok(a) => StageResult {
            stage: "assemble",
            passed: true,
            detail: format!(
                "{} files: the evidence, rtm/index.json, rtm/rtm.html, rtm/rtm-junit.xml and SHA256SUMS",
                a.files
            ),
            fix: None,
        },
        Err(e) => StageResult {
            stage: "assemble",
            passed: false,
            detail: e.to_string(),
            fix: Some(format!("fix the paths above, then: signet --root {} release-check", root.display())),
        },
    }
}

fn bundle_stage(root: &Path, out_dir: &Path) -> StageResult {
    let opts = BundleOptions {
        evidence: tree(out_dir),
        out: Some(out_dir.join("bundle.tar")),
        gzip: false,
        sums: None,
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
            fix: Some(format!("fix the paths above, then: signet --root {} release-check", root.display())),
        },
    }
}

/// The tree's SHA256SUMS must agree with an independent re-hash of the tree, file for file:
/// proves the bundled tree holds exactly the listed files.
fn sums_stage(out_dir: &Path) -> StageResult {
    let file = tree(out_dir).join(assemble::SUMS);
    match sums::check(&file, &tree(out_dir)) {
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
