//! The GitHub Actions, checked for real: every workflow and action file against GitHub's schemas
//! (check-jsonschema) and zizmor; every composite action's steps run the way the runner runs them
//! (`tests/actions/run_composite.py`) on a copy of the example project, with the built `signet` on
//! PATH; and the DHF archival job, which verifies the uploaded bundle with nothing but the manifest.
//!
//! The linters come from `scripts/install-action-tools` (`SIGNET_ACTION_TOOLS` = its `bin` folder,
//! absolute or relative to the repository); without it those tests print a note and pass. The
//! harness needs Python with PyYAML: the tools' venv, else a system `python3` that has it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{SIGNET, sh, sha256_hex};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("repository root")
}

fn tool_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("SIGNET_ACTION_TOOLS").filter(|v| !v.is_empty())?);
    Some(if dir.is_absolute() { dir } else { repo().join(dir) })
}

pub(crate) fn tool(name: &str, test: &str) -> Option<PathBuf> {
    match tool_dir() {
        Some(dir) => {
            let path = dir.join(name);
            assert!(path.exists(), "SIGNET_ACTION_TOOLS has no {name}: run scripts/install-action-tools");
            Some(path)
        }
        None => {
            signet_dev::missing_prerequisite(&format!(
                "{test}: SIGNET_ACTION_TOOLS is unset (scripts/install-action-tools)"
            ));
            None
        }
    }
}

/// Python with PyYAML for the harness, or None (the test is skipped with a note).
fn harness_python(test: &str) -> Option<PathBuf> {
    if let Some(dir) = tool_dir() {
        let python = dir.join("python");
        assert!(python.exists(), "SIGNET_ACTION_TOOLS has no python: run scripts/install-action-tools");
        return Some(python);
    }
    // The interpreter's own path, so that tests may run the harness with a narrow PATH.
    let found = Command::new("python3").args(["-c", "import sys, yaml; print(sys.executable)"]).output();
    match found {
        Ok(o) if o.status.success() => Some(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim())),
        _ => {
            signet_dev::missing_prerequisite(&format!("{test}: no SIGNET_ACTION_TOOLS and no python3 with PyYAML"));
            None
        }
    }
}

/// Every workflow and action file: (workflows, actions), repository-relative.
fn action_files() -> (Vec<String>, Vec<String>) {
    let root = repo();
    let mut workflows: Vec<String> = fs::read_dir(root.join(".github/workflows"))
        .expect("read .github/workflows")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
        .map(|n| format!(".github/workflows/{n}"))
        .collect();
    let mut actions = vec!["action.yml".to_string()];
    for entry in fs::read_dir(root.join("actions")).expect("read actions/") {
        let entry = entry.expect("entry");
        if entry.path().join("action.yml").exists() {
            actions.push(format!("actions/{}/action.yml", entry.file_name().to_string_lossy()));
        }
    }
    workflows.sort();
    actions.sort();
    assert!(workflows.len() >= 3, "ci, release and signatures workflows: {workflows:?}");
    for stage in ["rtm-gate", "sums", "bundle", "report", "request-signatures", "verify"] {
        assert!(actions.contains(&format!("actions/{stage}/action.yml")), "actions/{stage}/action.yml exists");
    }
    (workflows, actions)
}

fn run_tool(program: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(program).args(args).current_dir(repo()).output().expect("run tool");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn workflow_and_action_files_pass_githubs_schemas() {
    let Some(cj) = tool("check-jsonschema", "schema check") else { return };
    let (workflows, actions) = action_files();
    for (schema, files) in [("vendor.github-workflows", &workflows), ("vendor.github-actions", &actions)] {
        let mut args = vec!["--builtin-schema", schema];
        args.extend(files.iter().map(String::as_str));
        let (ok, text) = run_tool(&cj, &args);
        assert!(ok, "check-jsonschema --builtin-schema {schema} {files:?}:\n{text}");
    }
}

#[test]
fn zizmor_finds_nothing_of_medium_severity_or_higher() {
    let Some(zizmor) = tool("zizmor", "zizmor audit") else { return };
    let (workflows, actions) = action_files();
    let mut args = vec!["--offline", "--format", "json"];
    args.extend(workflows.iter().chain(&actions).map(String::as_str));
    let out = Command::new(&zizmor).args(&args).current_dir(repo()).output().expect("run zizmor");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("zizmor did not print JSON ({e}):\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    let serious: Vec<String> = findings
        .as_array()
        .expect("a list of findings")
        .iter()
        .filter(|f| matches!(f["determinations"]["severity"].as_str(), Some("Medium" | "High")))
        .map(|f| {
            let loc = &f["locations"][0];
            let file = loc["symbolic"]["key"]["Local"]["verbatim_path"].as_str().unwrap_or("?");
            let line = loc["concrete"]["location"]["start_point"]["row"].as_u64().map_or(0, |r| r + 1);
            format!("{file}:{line}: {} ({}): {}", f["ident"], f["determinations"]["severity"], f["desc"])
        })
        .collect();
    assert!(serious.is_empty(), "zizmor findings of medium or higher severity:\n{}", serious.join("\n"));
}

#[test]
fn workflows_pin_actions_grant_least_privilege_and_keep_inputs_out_of_run() {
    let Some(python) = harness_python("workflow lint") else { return };
    let (workflows, actions) = action_files();
    let harness = repo().join("tests/actions/run_composite.py");
    let out = Command::new(&python)
        .arg(&harness)
        .arg("lint")
        .args(workflows.iter().chain(&actions))
        .current_dir(repo())
        .output()
        .expect("run the lint");
    assert!(
        out.status.success(),
        "workflow lint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let release = fs::read_to_string(repo().join(".github/workflows/release.yml")).expect("release.yml");
    for needle in [r#"tags: ["v*"]"#, "retention-days: 90", "if-no-files-found: error", "./actions/rtm-gate"] {
        assert!(release.contains(needle), "release.yml lacks {needle:?}");
    }
    let order = [
        "./actions/rtm-gate",
        "./actions/sums",
        "./actions/bundle",
        "./actions/report",
        "./actions/request-signatures",
    ];
    let at: Vec<usize> = order.iter().map(|s| release.find(s).expect("stage in release.yml")).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "release.yml runs {order:?} in that order");
    let signatures = fs::read_to_string(repo().join(".github/workflows/signatures.yml")).expect("signatures.yml");
    for needle in ["pull_request:", "\"signatures/**\"", "./actions/verify"] {
        assert!(signatures.contains(needle), "signatures.yml lacks {needle:?}");
    }
    let owners =
        fs::read_to_string(repo().join("examples/infusion-pump/.github/CODEOWNERS")).expect("example CODEOWNERS");
    for path in ["/regulatory-docs/ ", "/signatures/ ", "/signet.toml "] {
        assert!(owners.lines().any(|l| l.starts_with(path) && l.contains('@')), "CODEOWNERS protects {path}");
    }
}

// ---------------------------------------------------------------- the composite actions, run

/// One harness run: the runner's view of the action afterwards.
struct Ran {
    result: Value,
    dir: PathBuf,
}

impl Ran {
    fn conclusion(&self) -> &str {
        self.result["conclusion"].as_str().expect("conclusion")
    }
    fn output(&self, name: &str) -> &str {
        self.result["outputs"][name].as_str().unwrap_or_else(|| panic!("no output {name}: {}", self.dump()))
    }
    fn step(&self, id: &str) -> &Value {
        self.result["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("no step {id}: {}", self.dump()))
    }
    fn outcome(&self, id: &str) -> &str {
        self.step(id)["outcome"].as_str().expect("outcome")
    }
    fn summary(&self) -> &str {
        self.result["summary"].as_str().expect("summary")
    }
    fn annotations(&self) -> &Vec<Value> {
        self.result["annotations"].as_array().expect("annotations")
    }
    fn has_annotation(&self, level: &str, text: &str) -> bool {
        self.annotations()
            .iter()
            .any(|a| a["level"] == level && a["message"].as_str().is_some_and(|m| m.contains(text)))
    }
    fn dump(&self) -> String {
        fn steps(list: &Value, indent: &str, text: &mut String) {
            for s in list.as_array().into_iter().flatten() {
                *text += &format!(
                    "{indent}--- step {} ({}, exit {})\n{}{}",
                    s["id"],
                    s["outcome"],
                    s["exit"],
                    s["stdout"].as_str().unwrap_or(""),
                    s["stderr"].as_str().unwrap_or("")
                );
                steps(&s["steps"], &format!("{indent}    "), text);
            }
        }
        let mut text = format!("conclusion {} in {}\n", self.result["conclusion"], self.dir.display());
        steps(&self.result["steps"], "", &mut text);
        text
    }
}

/// Runs the composite action at `action` (repository-relative; "." is the root action) in
/// `workspace`, with the built signet first on PATH so that no step builds one.
fn run_action(python: &Path, action: &str, workspace: &Path, inputs: &[(&str, &str)]) -> Ran {
    run_action_with_path(python, action, workspace, inputs, &path_with_signet())
}

/// PATH with the built signet first, so that no action step builds one.
fn path_with_signet() -> String {
    let signet_dir = Path::new(SIGNET).parent().expect("binary folder");
    format!("{}:{}", signet_dir.display(), std::env::var("PATH").unwrap_or_default())
}

fn run_action_with_path(python: &Path, action: &str, workspace: &Path, inputs: &[(&str, &str)], path: &str) -> Ran {
    let mut args = vec!["run".to_string(), repo().join(action).display().to_string()];
    for (k, v) in inputs {
        args.push("--input".into());
        args.push(format!("{k}={v}"));
    }
    harness(python, &args, workspace, path)
}

/// Runs job `job` of `.github/workflows/<workflow>` in `workspace`, which stands for its checkout.
fn run_job(python: &Path, workflow: &str, job: &str, workspace: &Path, github: &[(&str, &str)], path: &str) -> Ran {
    run_job_with(python, (workflow, job), workspace, github, path, &[])
}

/// As [`run_job`], with more harness arguments: `--artifacts DIR` (the artefact store that
/// upload-artifact and download-artifact share) and `--needs JSON` (earlier jobs' outputs).
fn run_job_with(
    python: &Path,
    (workflow, job): (&str, &str),
    workspace: &Path,
    github: &[(&str, &str)],
    path: &str,
    extra: &[String],
) -> Ran {
    let file = workspace.join(".github/workflows").join(workflow);
    let mut args = vec!["job".to_string(), file.display().to_string(), job.to_string()];
    for (k, v) in github {
        args.push("--github".into());
        args.push(format!("{k}={v}"));
    }
    args.extend(extra.iter().cloned());
    harness(python, &args, workspace, path)
}

fn harness(python: &Path, args: &[String], workspace: &Path, path: &str) -> Ran {
    let result_file = workspace.with_extension("result.json");
    let out = Command::new(python)
        .arg(repo().join("tests/actions/run_composite.py"))
        .args(args)
        .arg("--workspace")
        .arg(workspace)
        .arg("--result")
        .arg(&result_file)
        .env("PATH", path)
        .env_remove("SIGNET_BINARY_URL")
        .env_remove("SIGNET_BINARY_SHA256")
        .env_remove("SIGNET")
        .output()
        .expect("run the harness");
    assert!(
        out.status.success(),
        "harness failed on {args:?}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = fs::read_to_string(&result_file).expect("harness result");
    Ran { result: serde_json::from_str(&text).expect("result JSON"), dir: workspace.to_path_buf() }
}

/// A copy of the example project as a fresh workspace (with a signing policy, should the
/// example ever lose its own), inside `tmp`.
fn example_workspace(tmp: &Path) -> PathBuf {
    let example = repo().join("examples/infusion-pump");
    let ws = tmp.join("ws");
    sh(tmp, &format!("cp -r '{}/.' ws && rm -rf ws/target ws/signatures", example.display()));
    let toml = fs::read_to_string(ws.join("signet.toml")).expect("signet.toml");
    if !toml.contains("[[signing.required]]") {
        let policy = "\n[[signing.required]]\nrole = \"QA\"\nmeaning = \"REVIEWER\"\n\n[[signing.required]]\n\
                      role = \"RELEASE\"\nmeaning = \"APPROVER\"\nafter = [\"QA\"]\n";
        fs::write(ws.join("signet.toml"), toml + policy).expect("write policy");
    }
    ws
}

fn read(path: &str) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

#[test]
fn rtm_gate_action_reports_the_blocked_example_as_a_result() {
    let Some(python) = harness_python("rtm-gate action") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = example_workspace(tmp.path());
    let inputs = [("fail-on-suspect", "true"), ("fail-on-block", "false")];
    let ran = run_action(&python, "actions/rtm-gate", &ws, &inputs);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.output("gate-result"), "fail");
    assert_eq!(ran.output("signet-path"), SIGNET, "the signet on PATH ran: nothing was built");
    assert_eq!(ran.outcome("signet-cache-key"), "success");
    let html = fs::read_to_string(ran.output("rtm-html")).expect("rtm.html written");
    assert!(html.contains("SW-4"), "the matrix lists the requirements");
    let index: Value = serde_json::from_slice(&read(ran.output("rtm-index"))).expect("index.json");
    assert_eq!(index["schema"], "signet.rtm.index/v1");
    assert!(ran.output("rtm-dir").starts_with(ws.to_str().expect("utf-8")), "{}", ran.output("rtm-dir"));
    assert!(ran.step("gate")["summary"].as_str().expect("summary").starts_with("### RTM gate"));
    assert!(ran.summary().contains("| blocking | SW-4: verification failed"), "{}", ran.summary());
    assert!(
        ran.annotations().iter().any(|a| a["level"] == "error"
            && a["file"] == "regulatory-docs/software.sdoc"
            && a["line"] == "104"
            && a["message"].as_str().is_some_and(|m| m.contains("SW-4"))),
        "an error annotation at SW-4's line: {:?}",
        ran.annotations()
    );

    // The default fails the step — yet still says why, through the same output.
    let ran = run_action(&python, "actions/rtm-gate", &ws, &[("fail-on-suspect", "true")]);
    assert_eq!(ran.conclusion(), "failure", "{}", ran.dump());
    assert_eq!(ran.step("gate")["outputs"]["gate-result"], "fail");
}

#[test]
fn sums_action_writes_a_list_coreutils_accepts_and_checks_it_strictly() {
    let Some(python) = harness_python("sums action") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = example_workspace(tmp.path());
    let ran = run_action(&python, "actions/sums", &ws, &[("root", "evidence"), ("out", "out/SHA256SUMS")]);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    let sums = ran.output("sums-path").to_string();
    assert_eq!(sums, ws.join("out/SHA256SUMS").to_str().expect("utf-8"));
    sh(&ws.join("evidence"), &format!("sha256sum -c --strict '{sums}'"));
    assert!(ran.summary().contains("### SHA256SUMS"), "{}", ran.summary());
    assert!(ran.summary().contains("lists 4 files"), "{}", ran.summary());

    let check = [("root", "evidence"), ("check", "out/SHA256SUMS")];
    let ran = run_action(&python, "actions/sums", &ws, &check);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.output("sums-result"), "pass");
    assert!(ran.summary().contains("### SHA256SUMS check"), "{}", ran.summary());

    fs::write(ws.join("evidence/docs/release-notes.md"), "edited after the list was written\n").expect("edit");
    let ran = run_action(&python, "actions/sums", &ws, &[check[0], check[1], ("fail-on-block", "false")]);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.output("sums-result"), "fail");
    assert!(ran.summary().contains("**fail**"), "{}", ran.summary());
    let ran = run_action(&python, "actions/sums", &ws, &check);
    assert_eq!(ran.conclusion(), "failure", "{}", ran.dump());
}

#[test]
fn bundle_action_outputs_the_digest_of_the_tar_it_wrote() {
    let Some(python) = harness_python("bundle action") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = example_workspace(tmp.path());
    let inputs = [("evidence", "evidence"), ("out", "dist/bundle.tar"), ("sums", "dist/SHA256SUMS")];
    let ran = run_action(&python, "actions/bundle", &ws, &inputs);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    let digest = ran.output("bundle-sha256");
    assert_eq!(digest, sha256_hex(&read(ran.output("bundle-path"))), "bundle-sha256 is the written tar's");
    assert_eq!(ran.output("bundle-path"), ws.join("dist/bundle.tar").to_str().expect("utf-8"));
    sh(&ws.join("dist"), "sha256sum -c --strict bundle.tar.sha256");
    sh(&ws.join("evidence"), "sha256sum -c --strict ../dist/SHA256SUMS");
    assert!(ran.summary().contains("### Evidence bundle"), "{}", ran.summary());
    assert!(ran.summary().contains(digest), "the summary shows the digest: {}", ran.summary());

    // check-sums: the bundle's own list must equal the sums stage's, byte for byte.
    let ran = run_action(
        &python,
        "actions/bundle",
        &ws,
        &[("evidence", "evidence"), ("out", "dist/again.tar"), ("sums", ""), ("check-sums", "dist/SHA256SUMS")],
    );
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert!(ran.summary().contains("holds exactly the files listed"), "{}", ran.summary());
    fs::write(ws.join("evidence/docs/late.md"), "added after the list\n").expect("add a file");
    let ran = run_action(
        &python,
        "actions/bundle",
        &ws,
        &[("evidence", "evidence"), ("out", "dist/late.tar"), ("sums", ""), ("check-sums", "dist/SHA256SUMS")],
    );
    assert_eq!(ran.conclusion(), "failure", "{}", ran.dump());
    assert!(ran.has_annotation("error", "the evidence changed after the sums stage"), "{:?}", ran.annotations());

    // Refused input is exit 2 with the binary's annotation, not a silent pass.
    let ran = run_action(&python, "actions/bundle", &ws, &[("evidence", "no-such-folder")]);
    assert_eq!(ran.conclusion(), "failure");
    assert_eq!(ran.step("bundle")["exit"], 2, "{}", ran.dump());
    assert!(ran.annotations().iter().any(|a| a["level"] == "error"), "{}", ran.dump());
}

#[test]
fn request_and_verify_actions_open_a_request_and_report_it_pending() {
    let Some(python) = harness_python("request-signatures and verify actions") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = example_workspace(tmp.path());
    let bundle = run_action(&python, "actions/bundle", &ws, &[("evidence", "evidence"), ("out", "dist/bundle.tar")]);
    assert_eq!(bundle.conclusion(), "success", "{}", bundle.dump());

    let request = [("bundle", "dist/bundle.tar"), ("release", "v1.4.0")];
    let ran = run_action(&python, "actions/request-signatures", &ws, &request);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    let missing = ran.output("missing-signatures");
    assert!(missing.split(',').any(|r| r == "QA"), "roles to sign: {missing}");
    let request_json: Value = serde_json::from_slice(&read(ran.output("request-path"))).expect("request.json");
    assert_eq!(ran.output("request-dir"), ws.join("signatures/v1.4.0").to_str().expect("utf-8"));
    let text = request_json.to_string();
    assert!(text.contains(bundle.output("bundle-sha256")), "the request names the bundle digest");
    assert!(text.contains("0123456789abcdef0123456789abcdef01234567"), "and github.sha as the commit");
    assert!(ran.summary().contains("signatures requested"), "{}", ran.summary());

    let verify = [("bundle", "dist/bundle.tar"), ("allow-pending", "true")];
    let ran = run_action(&python, "actions/verify", &ws, &verify);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.output("verify-result"), "fail");
    assert_eq!(ran.output("verify-status"), "pending");
    assert_eq!(ran.output("problems"), "0");
    assert!(ran.output("missing-signatures").contains("QA"), "{}", ran.output("missing-signatures"));
    assert!(ran.summary().contains("### Final gate (verify): pending"), "{}", ran.summary());
    assert!(ran.has_annotation("notice", "awaiting QA"), "{:?}", ran.annotations());

    let ran = run_action(&python, "actions/verify", &ws, &[("bundle", "dist/bundle.tar")]);
    assert_eq!(ran.conclusion(), "failure", "pending is not a pass without allow-pending: {}", ran.dump());

    // A different bundle is a problem, never merely pending.
    fs::write(ws.join("dist/other.tar"), b"not the bundle that was requested").expect("write");
    let ran = run_action(&python, "actions/verify", &ws, &[("bundle", "dist/other.tar"), ("allow-pending", "true")]);
    assert_eq!(ran.conclusion(), "failure", "{}", ran.dump());
    assert_eq!(ran.output("verify-status"), "fail");
    assert!(ran.annotations().iter().any(|a| a["level"] == "error"), "{}", ran.dump());
}

#[test]
fn verify_action_passes_the_frozen_signed_manifest() {
    let Some(python) = harness_python("verify action") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = tmp.path().join("ws");
    sh(tmp.path(), &format!("mkdir ws && cp '{}'/* ws/", repo().join("tests/fixtures/manifest-v1").display()));
    let trust_sha = signet::digest::Digest::of(&fs::read(ws.join("trust.json")).expect("trust.json")).hex();
    // A swapped anchor (not the trust file the workflow pins) fails the step.
    let swapped = "0".repeat(64);
    let inputs = [
        ("bundle", "bundle.tar"),
        ("manifest", "release-v1.4.0.json"),
        ("trust", "trust.json"),
        ("trust-sha256", swapped.as_str()),
    ];
    let ran = run_action(&python, "actions/verify", &ws, &inputs);
    assert_eq!(ran.conclusion(), "failure", "{}", ran.dump());
    assert!(ran.dump().contains("trust-sha256 pins"), "{}", ran.dump());
    let inputs = [
        ("bundle", "bundle.tar"),
        ("manifest", "release-v1.4.0.json"),
        ("trust", "trust.json"),
        ("trust-sha256", trust_sha.as_str()),
    ];
    let ran = run_action(&python, "actions/verify", &ws, &inputs);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.output("verify-result"), "pass");
    assert_eq!(ran.output("verify-status"), "pass");
    assert_eq!(ran.output("missing-signatures"), "");
    let summary = ran.summary();
    assert!(summary.contains("### Final gate (verify): pass — release `v1.4.0`"), "{summary}");
    for signer in ["Dana Whitfield", "Eli Novak", "Rosa Lindqvist"] {
        assert!(summary.contains(signer), "the summary names {signer}: {summary}");
    }
}

#[test]
fn root_action_runs_every_stage_in_order_and_reports_a_blocked_gate() {
    let Some(python) = harness_python("root action") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = example_workspace(tmp.path());
    let inputs = [
        ("stages", "verify, request-signatures,bundle,sums,rtm-gate"),
        ("evidence", "evidence"),
        ("fail-on-suspect", "true"),
    ];
    let ran = run_action(&python, ".", &ws, &inputs);
    assert_eq!(ran.conclusion(), "failure", "a blocked gate fails the action, at the end: {}", ran.dump());
    assert_eq!(ran.output("result"), "fail");
    assert_eq!(ran.output("gate-result"), "fail");
    for id in ["gate", "sums", "bundle", "verdict"] {
        assert_eq!(ran.outcome(id), if id == "verdict" { "failure" } else { "success" }, "{id}: {}", ran.dump());
    }
    assert_eq!(ran.outcome("request"), "skipped", "a blocked release gets no request");
    assert_eq!(ran.outcome("verify"), "skipped");
    assert!(!ws.join("signatures").exists(), "nothing written under signatures/");
    assert_eq!(ran.output("bundle-sha256"), sha256_hex(&read(ran.output("bundle-path"))));
    assert_eq!(ran.output("bundle-path"), ws.join("target/signet/bundle.tar").to_str().expect("utf-8"));
    sh(&ws.join("evidence"), &format!("sha256sum -c --strict '{}'", ran.output("sums-path")));
    let summary = ran.summary();
    let sections = ["### RTM gate", "### SHA256SUMS", "### Evidence bundle", "### Signet pipeline: blocked"];
    let at: Vec<usize> = sections.iter().map(|s| summary.find(s).unwrap_or_else(|| panic!("{s}: {summary}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "one section per stage, in pipeline order: {summary}");
    assert!(summary.contains("request-signatures skipped"), "{summary}");
    assert!(ran.has_annotation("error", "rtm-gate blocked the release"), "{:?}", ran.annotations());
}

#[test]
fn root_action_requests_and_verifies_when_nothing_blocks() {
    let Some(python) = harness_python("root action") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = example_workspace(tmp.path());
    let inputs = [
        ("stages", "sums,bundle,request-signatures,verify"),
        ("evidence", "evidence"),
        ("out-dir", "out"),
        ("allow-pending", "true"),
    ];
    let ran = run_action(&python, ".", &ws, &inputs);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.output("result"), "pass");
    assert_eq!(ran.outcome("gate"), "skipped");
    assert_eq!(ran.output("verify-status"), "pending");
    assert!(ran.output("missing-signatures").contains("QA"), "{}", ran.output("missing-signatures"));
    assert_eq!(ran.output("request-dir"), ws.join("signatures/v1.4.0").to_str().expect("utf-8"));
    let request: Value =
        serde_json::from_slice(&read(&format!("{}/request.json", ran.output("request-dir")))).expect("request.json");
    assert!(request.to_string().contains(ran.output("bundle-sha256")), "the request binds the bundle");
    let summary = ran.summary();
    let sections =
        ["### SHA256SUMS", "### Evidence bundle", "signatures requested", "### Final gate (verify): pending"];
    let at: Vec<usize> = sections.iter().map(|s| summary.find(s).unwrap_or_else(|| panic!("{s}: {summary}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{summary}");
}

#[test]
fn root_action_refuses_unknown_stages_and_a_report_without_its_bundle() {
    let Some(python) = harness_python("root action") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = example_workspace(tmp.path());
    let ran = run_action(&python, ".", &ws, &[("stages", "rtm-gate,report"), ("evidence", "evidence")]);
    assert_eq!(ran.conclusion(), "failure");
    assert_eq!(ran.step("plan")["exit"], 2);
    assert!(ran.has_annotation("error", "the report stage needs the bundle stage"), "{:?}", ran.annotations());
    assert_eq!(ran.outcome("gate"), "skipped", "nothing ran");
    let ran = run_action(&python, ".", &ws, &[("stages", "bundel")]);
    assert!(ran.has_annotation("error", "unknown stage 'bundel'"), "{:?}", ran.annotations());
    let ran = run_action(&python, ".", &ws, &[("stages", "bundle")]);
    assert!(ran.has_annotation("error", "need the evidence input"), "{:?}", ran.annotations());
}

/// The report action before the request exists renders a preview; once the request is there, the
/// pending, controlled report — with its job-summary section and outputs.
#[test]
fn report_action_renders_a_preview_then_the_pending_report() {
    let Some(python) = harness_python("report action") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = example_workspace(tmp.path());
    let gate = run_action(&python, "actions/rtm-gate", &ws, &[]);
    let inputs = [("evidence", "evidence"), ("out", "dist/bundle.tar"), ("sums", "dist/SHA256SUMS")];
    let bundle = run_action(&python, "actions/bundle", &ws, &inputs);
    assert_eq!(bundle.conclusion(), "success", "{}", bundle.dump());
    let inputs =
        [("bundle", "dist/bundle.tar"), ("release", "v1.4.0"), ("index", gate.output("rtm-index")), ("out", "rep")];
    let ran = run_action(&python, "actions/report", &ws, &inputs);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.output("report-status"), "preview");
    assert_eq!(ran.output("report-path"), ws.join("rep/evidence-report.html").to_str().expect("utf-8"));
    assert!(Path::new(ran.output("report-pdf")).exists(), "{}", ran.dump());
    assert!(ran.summary().contains("### Evidence report: preview — release `v1.4.0`"), "{}", ran.summary());
    assert!(!ws.join("signatures").exists(), "a preview writes nothing under signatures/");

    let request =
        run_action(&python, "actions/request-signatures", &ws, &[("bundle", "dist/bundle.tar"), ("release", "v1.4.0")]);
    assert_eq!(request.conclusion(), "success", "{}", request.dump());
    let ran = run_action(&python, "actions/report", &ws, &inputs);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.output("report-status"), "pending");
    let summary = ran.summary();
    assert!(
        summary.contains("| 3 | RELEASE | — | APPROVER | — | awaiting signature — needs QA, ENGINEERING first |"),
        "{summary}"
    );
}

#[test]
fn a_prebuilt_binary_runs_only_when_its_sha256_matches() {
    let Some(python) = harness_python("signet-binary-url") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = example_workspace(tmp.path());
    // PATH without signet: the only binary the action can get is the download.
    let path = "/usr/local/bin:/usr/bin:/bin";
    let url = format!("file://{SIGNET}");
    let digest = sha256_hex(&fs::read(SIGNET).expect("read signet"));

    let inputs =
        [("signet-binary-url", url.as_str()), ("signet-binary-sha256", digest.as_str()), ("fail-on-block", "false")];
    let ran = run_action_with_path(&python, "actions/rtm-gate", &ws, &inputs, path);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.output("signet-sha256"), digest);
    assert_ne!(ran.output("signet-path"), SIGNET, "a downloaded copy ran");
    assert_eq!(ran.outcome("signet-cache-key"), "success");
    assert_eq!(ran.step("signet-cache-key")["outputs"]["build"], "false", "nothing to build or cache");
    assert_eq!(ran.output("gate-result"), "fail");

    let wrong = "0".repeat(64);
    let inputs = [("signet-binary-url", url.as_str()), ("signet-binary-sha256", wrong.as_str())];
    let ran = run_action_with_path(&python, "actions/rtm-gate", &ws, &inputs, path);
    assert_eq!(ran.conclusion(), "failure");
    assert!(ran.has_annotation("error", "SHA-256 mismatch"), "{:?}", ran.annotations());
    assert_eq!(ran.outcome("gate"), "skipped", "the refused binary never ran");

    let ran = run_action_with_path(&python, "actions/rtm-gate", &ws, &[("signet-binary-url", url.as_str())], path);
    assert_eq!(ran.conclusion(), "failure");
    assert!(ran.has_annotation("error", "must be pinned by its SHA-256"), "{:?}", ran.annotations());
}

/// The DHF archival job: only the uploaded artefact (the bundle tar the action wrote) and the
/// assembled signed manifest, in an empty folder, verified there with nothing else.
#[test]
fn dhf_archival_job_verifies_the_uploaded_bundle_with_the_manifest_alone() {
    let Some(python) = harness_python("DHF consumer") else { return };
    let fixture = repo().join("tests/fixtures/manifest-v1");
    let tmp = tempfile::tempdir().expect("temp dir");
    // The release job: the signed v1.4.0 evidence, bundled by the action (ctar is reproducible, so
    // this is the very tar that was signed).
    let ws = tmp.path().join("release-job");
    fs::create_dir_all(ws.join("evidence")).expect("mkdir");
    sh(&ws.join("evidence"), &format!("tar -xf '{}'", fixture.join("bundle.tar").display()));
    let ran = run_action(&python, "actions/bundle", &ws, &[("evidence", "evidence"), ("out", "dist/bundle.tar")]);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    let artefact = ran.output("bundle-path").to_string();
    assert_eq!(read(&artefact), read(fixture.join("bundle.tar").to_str().expect("utf-8")), "the signed bytes");

    // The archive: an empty folder, the artefact and the manifest, nothing else.
    let archive = tmp.path().join("dhf");
    fs::create_dir(&archive).expect("mkdir");
    fs::copy(&artefact, archive.join("bundle.tar")).expect("download the artefact");
    fs::copy(fixture.join("release-v1.4.0.json"), archive.join("release-v1.4.0.json")).expect("copy manifest");
    fs::copy(fixture.join("trust.json"), archive.join("trust.json")).expect("the trust file from the QMS");
    let out = Command::new(SIGNET)
        .args(["verify", "--bundle", "bundle.tar", "--manifest", "release-v1.4.0.json", "--trust", "trust.json"])
        .current_dir(&archive)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run signet verify");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("PASS: release v1.4.0 — 3 signature(s) valid"), "{stdout}");
    let mut left: Vec<String> =
        fs::read_dir(&archive).expect("ls").map(|e| e.expect("entry").file_name().to_string_lossy().into()).collect();
    left.sort();
    assert_eq!(left, ["bundle.tar", "release-v1.4.0.json", "trust.json"], "verify wrote nothing beside them");

    // One byte of the artefact changed, and the archive refuses it.
    let mut bytes = read(archive.join("bundle.tar").to_str().expect("utf-8"));
    bytes[600] ^= 1;
    fs::write(archive.join("bundle.tar"), bytes).expect("tamper");
    let out = Command::new(SIGNET)
        .args(["verify", "--bundle", "bundle.tar", "--manifest", "release-v1.4.0.json", "--trust", "trust.json"])
        .current_dir(&archive)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run signet verify");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
}

/// The harness itself: both GITHUB_OUTPUT forms, GITHUB_ENV and GITHUB_PATH carried to later steps,
/// `if:` and step outputs, and a `${{ }}` inside `run:` refused.
#[test]
fn harness_behaves_like_the_runner() {
    let Some(python) = harness_python("harness self-test") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let action = tmp.path().join("action");
    fs::create_dir_all(tmp.path().join("ws")).expect("mkdir");
    fs::create_dir_all(&action).expect("mkdir");
    let yml = r###"name: t
description: harness self-test
inputs:
  word:
    description: a word
    default: "x"
  ref:
    description: defaults are expressions
    default: ${{ github.ref_name }}
outputs:
  simple:
    value: ${{ steps.a.outputs.simple }}
  multi:
    value: ${{ steps.a.outputs.multi }}
  seen:
    value: ${{ steps.b.outputs.seen }}
  skipped:
    value: ${{ steps.c.outputs.never || 'none' }}
runs:
  using: composite
  steps:
    - id: a
      shell: bash
      env:
        WORD: ${{ inputs.word }}
        REF: ${{ inputs.ref }}
      run: |
        echo "simple=$WORD-$REF" >> "$GITHUB_OUTPUT"
        printf 'multi<<EOF_1\nline one\nline=two\nEOF_1\n' >> "$GITHUB_OUTPUT"
        echo "CARRIED=yes" >> "$GITHUB_ENV"
        mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\necho tool-ran\n' > "$RUNNER_TEMP/bin/harness-tool"
        chmod +x "$RUNNER_TEMP/bin/harness-tool" && echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
        echo "## section a" >> "$GITHUB_STEP_SUMMARY"
        test "$GITHUB_ACTIONS" = true && test "$PWD" = "$GITHUB_WORKSPACE" && test -d "$GITHUB_ACTION_PATH"
    - id: b
      if: steps.a.outputs.simple == 'HELLO-v1.4.0'
      shell: bash
      env:
        MULTI: ${{ steps.a.outputs.multi }}
      run: echo "seen=$CARRIED/$(harness-tool)/$(echo "$MULTI" | wc -l)" >> "$GITHUB_OUTPUT"
    - id: c
      if: inputs.word == 'nope'
      shell: bash
      run: echo "never=1" >> "$GITHUB_OUTPUT"
    - id: d
      shell: bash
      run: exit 3
    - id: e
      shell: bash
      run: echo "after a failure, default steps are skipped"
    - id: f
      if: failure()
      shell: bash
      run: echo "::warning file=a.txt,line=2::50%25 done"
"###;
    fs::write(action.join("action.yml"), yml).expect("write action");
    let result = tmp.path().join("r.json");
    let run = |extra: &[&str]| {
        Command::new(&python)
            .arg(repo().join("tests/actions/run_composite.py"))
            .arg("run")
            .arg(&action)
            .args(["--workspace", tmp.path().join("ws").to_str().expect("utf-8")])
            .args(["--result", result.to_str().expect("utf-8")])
            .args(extra)
            .output()
            .expect("run harness")
    };
    let out = run(&["--input", "word=hello"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&fs::read(&result).expect("result")).expect("JSON");
    assert_eq!(r["outputs"]["simple"], "hello-v1.4.0");
    assert_eq!(r["outputs"]["multi"], "line one\nline=two");
    assert_eq!(r["outputs"]["seen"], "yes/tool-ran/2", "{r:#}");
    assert_eq!(r["outputs"]["skipped"], "none");
    assert_eq!(r["conclusion"], "failure");
    let outcomes: Vec<&str> =
        r["steps"].as_array().expect("steps").iter().map(|s| s["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["success", "success", "skipped", "failure", "skipped", "success"]);
    assert_eq!(r["annotations"][0]["message"], "50% done");
    assert_eq!(r["annotations"][0]["line"], "2");
    assert_eq!(r["summary"], "## section a\n");

    let out = run(&["--input", "undeclared=1"]);
    assert_eq!(out.status.code(), Some(2), "undeclared inputs are refused");
    fs::write(action.join("action.yml"), yml.replace(r#"run: exit 3"#, r#"run: echo "${{ inputs.word }}""#))
        .expect("write action");
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside run:"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// GitHub's API played by a stand-in `gh` (no network here): `cases` is the body of a bash `case`
/// on the arguments; every call is logged to `tmp/gh.log`. Returns PATH with it first (then the
/// built signet) and the log's path.
fn fake_gh(tmp: &Path, on: &str, cases: &str) -> (String, PathBuf) {
    let bin = tmp.join("fake-bin");
    fs::create_dir_all(&bin).expect("mkdir");
    let log = tmp.join("gh.log");
    let script = format!(
        "#!/usr/bin/env bash\necho \"gh $*\" >> '{}'\ncase {on} in\n{cases}\n  *) echo \"unexpected: gh $*\" >&2; exit 1 ;;\nesac\n",
        log.display()
    );
    fs::write(bin.join("gh"), script).expect("write gh");
    sh(&bin, "chmod +x gh");
    (format!("{}:{}", bin.display(), path_with_signet()), log)
}

// ---------------------------------------------------------------- the workflows' jobs, run

/// The names of the files in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The parts of a checkout of this repository the workflows use, in `tmp/ws`.
fn checkout(tmp: &Path) -> PathBuf {
    let ws = tmp.join("ws");
    fs::create_dir_all(ws.join("tests/fixtures")).expect("mkdir");
    fs::create_dir_all(ws.join("examples")).expect("mkdir");
    let r = repo();
    sh(
        tmp,
        &format!(
            "cp -r '{r}/action.yml' '{r}/actions' '{r}/.github' ws/ && cp -r '{r}/examples/infusion-pump' ws/examples/ \
             && cp -r '{r}/tests/fixtures/manifest-v1' ws/tests/fixtures/ \
             && rm -rf ws/examples/infusion-pump/target ws/examples/infusion-pump/signatures",
            r = r.display()
        ),
    );
    ws
}

#[test]
fn ci_workflow_runs_the_action_steps_on_the_example_project() {
    let Some(python) = harness_python("ci.yml actions job") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = checkout(tmp.path());
    let ran =
        run_job(&python, "ci.yml", "actions", &ws, &[("ref_name", "main"), ("run_id", "77")], &path_with_signet());
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    for id in ["gate", "sums", "bundle", "check", "request", "pending", "signed", "pipeline"] {
        assert_eq!(ran.outcome(id), "success", "{id}: {}", ran.dump());
    }
    assert_eq!(ran.step("gate")["outputs"]["gate-result"], "fail");
    assert_eq!(ran.step("signed")["outputs"]["verify-result"], "pass");
    assert_eq!(ran.step("pending")["outputs"]["verify-status"], "pending");
    assert_eq!(ran.step("pipeline")["outputs"]["result"], "fail");
    assert!(ws.join("examples/infusion-pump/signatures/ci-77/request.json").exists());
}

#[test]
fn release_workflow_blocks_the_example_and_uploads_only_the_report() {
    let Some(python) = harness_python("release.yml") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = checkout(tmp.path());
    let ran = run_job(&python, "release.yml", "evidence", &ws, &[("ref_name", "v1.4.0")], &path_with_signet());
    assert_eq!(ran.conclusion(), "failure", "the blocked example fails the release: {}", ran.dump());
    assert_eq!(ran.step("gate")["outputs"]["gate-result"], "fail");
    assert_eq!(ran.outcome("sums"), "success");
    assert_eq!(ran.outcome("bundle"), "success", "every stage still reports");
    assert_eq!(ran.outcome("request"), "skipped", "no signature request for a blocked release");
    let steps = ran.result["steps"].as_array().expect("steps");
    let uploads: Vec<&Value> = steps
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/upload-artifact@")))
        .collect();
    assert_eq!(uploads.len(), 3);
    assert_eq!(ran.step("report")["outputs"]["report-status"], "preview", "{}", ran.dump());
    assert_eq!(uploads[0]["outcome"], "skipped-remote", "the report is uploaded (recorded: no network here)");
    assert_eq!(uploads[0]["with"]["name"], "evidence-report-v1.4.0");
    let paths: Vec<&str> = uploads[0]["with"]["path"].as_str().expect("path").lines().collect();
    assert!(Path::new(paths[0]).join("evidence-report.pdf").exists(), "{paths:?}");
    assert!(Path::new(paths[1]).join("rtm.html").exists(), "{paths:?}");
    assert_eq!(uploads[1]["outcome"], "skipped", "no bundle artefact for a blocked release");
    assert_eq!(uploads[2]["outcome"], "skipped");
    assert_eq!(ran.outcome("block"), "failure");
    assert!(ran.has_annotation("error", "the RTM gate says 'fail'"), "{:?}", ran.annotations());
    assert!(!ws.join("examples/infusion-pump/signatures").exists());
}

#[test]
fn release_workflow_requests_signatures_and_uploads_the_bundle_when_the_gate_passes() {
    let Some(python) = harness_python("release.yml") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = checkout(tmp.path());
    let pump = ws.join("examples/infusion-pump");
    // Make the example releasable: the failing test passes, then every requirement is reviewed.
    let junit = pump.join("evidence/junit/firmware-unit.xml");
    let xml = fs::read_to_string(&junit).expect("junit");
    let start = xml.find("<failure").expect("the failing test");
    let end = xml.find("</failure>").expect("its end") + "</failure>".len();
    fs::write(&junit, format!("{}{}", &xml[..start], &xml[end..])).expect("write junit");
    // The example requires verification: the skipped audibility test runs, and SW-1 and SW-6 get tests.
    let system = pump.join("evidence/junit/system-tests.xml");
    let xml = fs::read_to_string(&system).expect("junit");
    let start = xml.find("<skipped").expect("the skipped test");
    let end = xml.find("</skipped>").expect("its end") + "</skipped>".len();
    fs::write(&system, format!("{}{}", &xml[..start], &xml[end..])).expect("write junit");
    let case = |name: &str, uid: &str| {
        format!(
            "<testcase classname=\"pump-firmware\" name=\"{name}\" time=\"0.1\"><properties>\
             <property name=\"verifies\" value=\"{uid}\"/></properties></testcase>"
        )
    };
    let extra = format!(
        "<testsuites><testsuite name=\"extra\" tests=\"2\" failures=\"0\" errors=\"0\">{}{}</testsuite></testsuites>\n",
        case("pressure::sampled_at_100_hz", "SW-1"),
        case("log::occlusion_events_logged", "SW-6")
    );
    fs::write(pump.join("evidence/junit/extra.xml"), extra).expect("write junit");
    let out = Command::new(SIGNET)
        .args(["--root", pump.to_str().expect("utf-8"), "stamp", "--all", "--by", "Test Reviewer"])
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("stamp");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let store = tmp.path().join("artefacts");
    let artefacts = ["--artifacts".to_string(), store.display().to_string()];
    let ran = run_job_with(
        &python,
        ("release.yml", "evidence"),
        &ws,
        &[("ref_name", "v1.4.0")],
        &path_with_signet(),
        &artefacts,
    );
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.result["outputs"]["requested"], "true", "{}", ran.dump());
    assert_eq!(ran.step("gate")["outputs"]["gate-result"], "pass");
    assert_eq!(ran.outcome("request"), "success");
    assert!(pump.join("signatures/v1.4.0/request.json").exists());
    let steps = ran.result["steps"].as_array().expect("steps");
    let uploads: Vec<&Value> = steps
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/upload-artifact@")))
        .collect();
    let bundle_upload = uploads[1];
    assert_eq!(bundle_upload["outcome"], "skipped-remote");
    assert_eq!(bundle_upload["with"]["name"], "release-evidence-v1.4.0");
    assert_eq!(bundle_upload["with"]["retention-days"], "90");
    assert_eq!(bundle_upload["with"]["if-no-files-found"], "error");
    let files: Vec<&str> = bundle_upload["with"]["path"].as_str().expect("paths").lines().collect();
    let bundle = &ran.step("bundle")["outputs"];
    assert_eq!(files[0], bundle["bundle-path"].as_str().expect("bundle-path"));
    assert!(files.iter().all(|f| Path::new(f).is_file()), "every uploaded file exists: {files:?}");
    assert_eq!(
        bundle["bundle-sha256"].as_str().expect("digest"),
        sha256_hex(&read(files[0])),
        "the artefact is the tar whose digest the request binds"
    );
    assert_eq!(uploads[2]["with"]["path"], pump.join("signatures/v1.4.0").to_str().expect("utf-8"));
    assert_eq!(ran.outcome("block"), "skipped", "nothing blocks: {}", ran.dump());
    // Seed 001's bundle: the evidence tree, with the RTM and a SHA256SUMS of every other file,
    // which the request pins.
    assert_eq!(ran.outcome("assemble"), "success", "{}", ran.dump());
    let listed = String::from_utf8_lossy(&sh(&pump, &format!("tar -tf {}", files[0])).stdout).into_owned();
    for name in ["SHA256SUMS", "rtm/index.json", "rtm/rtm.html", "rtm/rtm-junit.xml", "junit/extra.xml"] {
        assert!(listed.lines().any(|l| l == name), "{name} not in the bundle:\n{listed}");
    }
    let request: Value =
        serde_json::from_slice(&read(pump.join("signatures/v1.4.0/request.json").to_str().expect("utf-8")))
            .expect("request");
    let tree = pump.join("target/release/evidence-tree");
    let pinned = format!("sha256:{}", sha256_hex(&read(tree.join("SHA256SUMS").to_str().expect("utf-8"))));
    assert_eq!(request["sha256sums_sha256"], pinned.as_str());
    open_request_job_commits_the_request_and_opens_its_pull_request(&python, tmp.path(), &ws, &artefacts);
}

/// release.yml's open-request job, on a fresh checkout of the tag: it downloads the request and
/// the bundle the evidence job uploaded, checks them with the final gate (pending), commits the
/// request on `signet/request-<tag>` and opens its pull request (a stand-in `gh`).
fn open_request_job_commits_the_request_and_opens_its_pull_request(
    python: &Path,
    tmp: &Path,
    ws: &Path,
    artefacts: &[String],
) {
    let pump = ws.join("examples/infusion-pump");
    let requested = fs::read(pump.join("signatures/v1.4.0/request.json")).expect("request");
    sh(ws, "rm -rf examples/infusion-pump/signatures examples/infusion-pump/target");
    sh(tmp, "git init -q --bare origin.git");
    let commit = "git -c user.name=t -c user.email=t@example.com commit -qm tag";
    sh(ws, &format!("git init -q -b main && git remote add origin ../origin.git && git add -A && {commit}"));
    let cases = r#"  "api repos/example/infusion-pump --jq .default_branch") echo main ;;
  "auth setup-git") ;;
  "pr create "*) echo https://github.com/example/infusion-pump/pull/20 ;;
  "pr view https://github.com/example/infusion-pump/pull/20 --json headRefOid --jq .headRefOid")
    git -C ../origin.git rev-parse refs/heads/signet/request-v1.4.0 ;;"#;
    let (path, log) = fake_gh(tmp, r#""$*""#, cases);
    let mut extra = artefacts.to_vec();
    extra.extend(["--needs".to_string(), r#"{"evidence": {"outputs": {"requested": "true"}}}"#.to_string()]);
    let ran = run_job_with(python, ("release.yml", "open-request"), ws, &[("ref_name", "v1.4.0")], &path, &extra);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.step("verify")["outputs"]["verify-status"], "pending", "{}", ran.dump());
    assert_eq!(ran.step("open")["outputs"]["request-pull-request"], "https://github.com/example/infusion-pump/pull/20");
    let calls = fs::read_to_string(&log).expect("gh log");
    assert!(calls.contains("pr create --base main --head signet/request-v1.4.0"), "{calls}");
    let branch = tmp.join("branch");
    sh(tmp, &format!("git clone -q -b signet/request-v1.4.0 origin.git '{}'", branch.display()));
    let committed = fs::read(branch.join("examples/infusion-pump/signatures/v1.4.0/request.json")).expect("request");
    assert_eq!(committed, requested, "the pull request holds the evidence job's request, byte for byte");
    signatures_by_pull_request_then_the_archive_verifies_alone(python, tmp, ws, artefacts);
    // Without a request (a blocked release), the job does not run.
    let blocked = r#"{"evidence": {"outputs": {"requested": "false"}}}"#.to_string();
    let ran = run_job_with(
        python,
        ("release.yml", "open-request"),
        ws,
        &[("ref_name", "v1.4.0")],
        &path,
        &["--needs".to_string(), blocked],
    );
    assert_eq!(ran.conclusion(), "skipped", "{}", ran.dump());
}

#[test]
fn signatures_workflow_runs_the_final_gate_on_the_pull_requests_release() {
    let Some(python) = harness_python("signatures.yml") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = checkout(tmp.path());
    let pump = ws.join("examples/infusion-pump");
    // The release workflow's output: a bundle (the "artefact") and the committed request.
    // Two artefacts: the evidence (bundle, its digest, SHA256SUMS) and the report with the RTM index.
    let evidence = "../../artefact/release-evidence-v1.4.0";
    let (tar, sums) = (format!("{evidence}/bundle.tar"), format!("{evidence}/SHA256SUMS"));
    let inputs = [("evidence", "evidence"), ("out", tar.as_str()), ("sums", sums.as_str())];
    let bundle = run_action(&python, "actions/bundle", &pump, &inputs);
    assert_eq!(bundle.conclusion(), "success", "{}", bundle.dump());
    let gate = run_action(&python, "actions/rtm-gate", &pump, &[("out", "../../artefact/evidence-report-v1.4.0/rtm")]);
    assert_eq!(gate.output("gate-result"), "fail", "{}", gate.dump());
    let request = run_action(&python, "actions/request-signatures", &pump, &[("bundle", tar.as_str())]);
    assert_eq!(request.conclusion(), "success", "{}", request.dump());

    // GitHub's API, played by a stand-in `gh` (no network here): the pull request's files, the
    // release run, and the artefact download into --dir.
    let files = tmp.path().join("pr-files.txt");
    let cases = format!(
        r#"  "api "*) cat '{files}' ;;
  "run list") echo 4242 ;;
  "run download")
    while [ $# -gt 0 ]; do case "$1" in --dir) dir="$2" ;; --name) name="$2" ;; esac; shift; done
    mkdir -p "$dir" && cp -r '{store}'/"$name"/. "$dir"/ ;;"#,
        files = files.display(),
        store = ws.join("artefact").display()
    );
    let (path, log) = fake_gh(tmp.path(), r#""$1 $2""#, &cases);
    let github =
        [("event", r#"{"pull_request":{"number":7}}"#), ("event_name", "pull_request"), ("ref_name", "7/merge")];
    let run = |changed: &str| {
        fs::write(&files, changed.replace(' ', "\n") + "\n").expect("pull request files");
        run_job(&python, "signatures.yml", "final-gate", &ws, &github, &path)
    };

    let ran = run("examples/infusion-pump/signatures/v1.4.0/QA--dana.dsse.json");
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.step("release")["outputs"]["release"], "v1.4.0");
    assert_eq!(ran.step("verify")["outputs"]["verify-status"], "pending");
    assert!(ran.summary().contains("### Final gate (verify): pending — release `v1.4.0`"), "{}", ran.summary());
    let calls = fs::read_to_string(&log).expect("gh log");
    assert!(calls.contains("api --paginate repos/example/infusion-pump/pulls/7/files"), "{calls}");
    assert!(calls.contains("--branch v1.4.0"), "{calls}");
    assert!(calls.contains("--name release-evidence-v1.4.0"), "{calls}");
    assert_eq!(ran.step("report")["outputs"]["report-status"], "pending", "{}", ran.dump());
    assert!(ran.summary().contains("### Evidence report: pending — release `v1.4.0`"), "{}", ran.summary());

    // Enrolling or revoking touches no release: nothing to verify, and the job passes.
    let ran = run("examples/infusion-pump/signatures/signers.toml");
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.step("release")["outputs"]["release"], "");
    assert_eq!(ran.outcome("verify"), "skipped");
    assert!(ran.has_annotation("notice", "changes no release folder"), "{:?}", ran.annotations());
    // An archival manifest names its release.
    let ran = run("examples/infusion-pump/signatures/release-v1.4.0.json");
    assert_eq!(ran.step("release")["outputs"]["release"], "v1.4.0", "{}", ran.dump());
    assert_ne!(ran.outcome("verify"), "skipped");

    let ran = run("examples/infusion-pump/signatures/v1.4.0/a examples/infusion-pump/signatures/v1.5.0/b");
    assert_eq!(ran.conclusion(), "failure");
    assert!(ran.has_annotation("error", "exactly one signatures/<release>/ folder"), "{:?}", ran.annotations());
    assert_eq!(ran.outcome("verify"), "skipped");
}

/// A `signet` on PATH of another version is not used in place of the pinned one: the action says
/// so in a warning and plans to build (and cache) the version of its own checkout.
#[test]
fn a_signet_of_another_version_on_path_is_not_used() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let bin = tmp.path().join("bin");
    fs::create_dir_all(&bin).expect("bin");
    fs::write(bin.join("signet"), "#!/bin/sh\necho 'signet 9.9.9'\n").expect("fake signet");
    sh(tmp.path(), "chmod 0755 bin/signet");
    let outputs = tmp.path().join("outputs");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../actions/signet.sh");
    let cache_key = || {
        Command::new("bash")
            .arg(&script)
            .arg("--cache-key")
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("GITHUB_OUTPUT", &outputs)
            .output()
            .expect("signet.sh")
    };
    let out = cache_key();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("::warning title=signet binary::")
            && stdout.contains("is 'signet 9.9.9', not the pinned 'signet 0.1.0'"),
        "{stdout}"
    );
    let written = fs::read_to_string(&outputs).expect("outputs");
    assert!(written.contains("build=true"), "the pinned version is built: {written}");

    // The same version on PATH is used, and nothing is built.
    fs::write(bin.join("signet"), "#!/bin/sh\necho 'signet 0.1.0'\n").expect("fake signet");
    fs::remove_file(&outputs).expect("reset");
    let out = cache_key();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("::warning"));
    assert!(fs::read_to_string(&outputs).expect("outputs").contains("build=false"));
}

/// By default the Action steps run the release binary that actions/release-binaries.txt pins for
/// the checkout's version and the runner's platform: downloaded (here from a file:// mirror) and
/// run only if its SHA-256 is the pinned one. Without a pin for the version, they build.
#[test]
fn the_pinned_release_binary_is_downloaded_and_checked_by_default() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let src = tmp.path().join("signet");
    fs::create_dir_all(src.join("actions")).expect("mkdir");
    let repo = repo();
    fs::copy(repo.join("actions/signet.sh"), src.join("actions/signet.sh")).expect("signet.sh");
    fs::copy(repo.join("Cargo.toml"), src.join("Cargo.toml")).expect("Cargo.toml");
    let arch = String::from_utf8_lossy(&sh(tmp.path(), "uname -m").stdout).trim().to_owned();
    let target = format!("{arch}-unknown-linux-musl");
    let published = tmp.path().join(format!("signet-{target}"));
    fs::write(&published, "#!/bin/sh\necho 'signet 0.1.0'\n").expect("binary");
    sh(tmp.path(), &format!("chmod 0755 signet-{target}"));
    let digest = sha256_hex(&fs::read(&published).expect("binary"));
    let outputs = tmp.path().join("outputs");
    let run = |mode: &str, pins: &str| {
        fs::write(src.join("actions/release-binaries.txt"), format!("# version target sha256 url\n{pins}"))
            .expect("pins");
        let _ = fs::remove_file(&outputs);
        let out = Command::new("bash")
            .arg(src.join("actions/signet.sh"))
            .arg(mode)
            .env("PATH", "/usr/bin:/bin")
            .env("GITHUB_OUTPUT", &outputs)
            .env("RUNNER_TEMP", tmp.path().join("runner"))
            .env_remove("SIGNET_BINARY_URL")
            .output()
            .expect("signet.sh");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code(), text, fs::read_to_string(&outputs).unwrap_or_default())
    };
    let pin = format!("0.1.0 {target} {digest} file://{}\n", published.display());

    let (code, text, written) = run("--cache-key", &pin);
    assert_eq!(code, Some(0), "{text}");
    assert!(written.contains("build=false"), "nothing is built: {written}");
    let (code, text, written) = run("--resolve", &pin);
    assert_eq!(code, Some(0), "{text}");
    assert!(written.contains(&format!("sha256={digest}")), "{written}");
    assert!(written.contains("version=signet 0.1.0"), "{written}");
    assert!(text.contains("as pinned in actions/release-binaries.txt"), "{text}");

    // Another binary at the URL than the one pinned: refused, and never run.
    let other = format!("0.1.0 {target} {} file://{}\n", "ab".repeat(32), published.display());
    let (code, text, _) = run("--resolve", &other);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("SHA-256 mismatch"), "{text}");

    // No pin for this version (a development commit): the checkout is built.
    let (code, text, written) =
        run("--cache-key", &format!("0.0.9 {target} {digest} file://{}\n", published.display()));
    assert_eq!(code, Some(0), "{text}");
    assert!(written.contains("build=true"), "{written}");
}

/// What scripts/release-self leaves for release-signet.yml to publish (with the bundle's .sha256).
const RELEASE_EVIDENCE: [&str; 5] = [
    "bundle-signet-v0.1.0.tar",
    "evidence-report-signet-v0.1.0.pdf",
    "inspection-signet-v0.1.0.tar.gz",
    "release-signet-v0.1.0.json",
    "trust.json",
];

/// release-signet.yml's publish job, after the build and evidence jobs: the binaries and their
/// .sha256 files from the artefact store are checked, published with a SHA256SUMS and Signet's
/// own signed release evidence as release assets, and their SHA-256 pinned in
/// actions/release-binaries.txt by pull request; a binary that does not match its .sha256
/// publishes nothing.
#[test]
fn release_signet_workflow_publishes_checked_binaries_and_pins_them() {
    let Some(python) = harness_python("release-signet.yml") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = checkout(tmp.path());
    sh(tmp.path(), &format!("cp -r '{r}/scripts' '{r}/Cargo.toml' ws/", r = repo().display()));
    sh(tmp.path(), "git init -q --bare origin.git");
    let commit = "git -c user.name=t -c user.email=t@example.com commit -qm release";
    sh(&ws, &format!("git init -q -b main && git remote add origin ../origin.git && git add -A && {commit}"));
    let store = tmp.path().join("artefacts");
    for name in ["signet-x86_64-unknown-linux-musl", "signet-x86_64-pc-windows-msvc.exe"] {
        let target = name.trim_end_matches(".exe");
        fs::create_dir_all(store.join(target)).expect("mkdir");
        fs::write(store.join(target).join(name), format!("binary {name}")).expect("binary");
        sh(&store.join(target), &format!("sha256sum {name} > {name}.sha256"));
    }
    // The evidence job's assets (scripts/release-self, run for real by scripts/test).
    let evidence = store.join("release-evidence");
    fs::create_dir_all(&evidence).expect("mkdir");
    for name in RELEASE_EVIDENCE {
        fs::write(evidence.join(name), format!("asset {name}")).expect("asset");
    }
    sh(&evidence, "sha256sum bundle-signet-v0.1.0.tar > bundle-signet-v0.1.0.tar.sha256");
    let published = tmp.path().join("published");
    fs::create_dir_all(&published).expect("mkdir");
    let cases = format!(
        r#"  "release view "*) exit 1 ;;
  "release create "*) for a in "$@"; do [ -f "$a" ] && cp "$a" '{published}'/; done; true ;;
  "api repos/example/infusion-pump --jq .default_branch") echo main ;;
  "auth setup-git") ;;
  "pr create "*) echo https://github.com/example/infusion-pump/pull/40 ;;
  "pr view https://github.com/example/infusion-pump/pull/40 --json headRefOid --jq .headRefOid")
    git -C '{origin}' rev-parse refs/heads/signet/pin-binaries-signet-v0.1.0 ;;"#,
        published = published.display(),
        origin = tmp.path().join("origin.git").display()
    );
    let (path, log) = fake_gh(tmp.path(), r#""$*""#, &cases);
    let artefacts = ["--artifacts".to_string(), store.display().to_string()];
    let publish = || {
        run_job_with(
            &python,
            ("release-signet.yml", "publish"),
            &ws,
            &[("ref_name", "signet-v0.1.0")],
            &path,
            &artefacts,
        )
    };
    let ran = publish();
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    let out = sh(&published, "sha256sum -c --strict SHA256SUMS");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let mut expected: Vec<&str> = RELEASE_EVIDENCE.to_vec();
    expected.extend([
        "SHA256SUMS",
        "bundle-signet-v0.1.0.tar.sha256",
        "signet-x86_64-pc-windows-msvc.exe",
        "signet-x86_64-pc-windows-msvc.exe.sha256",
        "signet-x86_64-unknown-linux-musl",
        "signet-x86_64-unknown-linux-musl.sha256",
    ]);
    expected.sort_unstable();
    assert_eq!(file_names(&published), expected);
    let branch = tmp.path().join("branch");
    sh(tmp.path(), &format!("git clone -q -b signet/pin-binaries-signet-v0.1.0 origin.git '{}'", branch.display()));
    let pins = fs::read_to_string(branch.join("actions/release-binaries.txt")).expect("pins");
    let musl = sha256_hex(&fs::read(published.join("signet-x86_64-unknown-linux-musl")).expect("binary"));
    let line = format!(
        "0.1.0 x86_64-unknown-linux-musl {musl} https://github.com/example/infusion-pump/releases/download/signet-v0.1.0/signet-x86_64-unknown-linux-musl"
    );
    assert!(pins.lines().any(|l| l == line), "{pins}");
    assert!(pins.lines().any(|l| l.starts_with("0.1.0 x86_64-pc-windows-msvc ")), "{pins}");

    // A binary changed after its digest was taken: nothing is published.
    fs::write(store.join("signet-x86_64-unknown-linux-musl/signet-x86_64-unknown-linux-musl"), "tampered")
        .expect("tamper");
    fs::remove_dir_all(&published).expect("reset");
    fs::create_dir_all(&published).expect("mkdir");
    sh(&ws, "git checkout -q -f main && rm -rf dist-out");
    let before = fs::read_to_string(&log).expect("gh log").matches("release create").count();
    let ran = publish();
    assert_eq!(ran.conclusion(), "failure", "{}", ran.dump());
    assert!(ran.has_annotation("error", "does not match its .sha256"), "{:?}", ran.annotations());
    assert_eq!(fs::read_to_string(&log).expect("gh log").matches("release create").count(), before);
}

/// Seed 001's auto-stamp: when a pull request that changed the requirements is merged, the stamp
/// job records the approving review of the merged commit on exactly the requirements the merge
/// made unreviewed, pushes that on a branch and opens a pull request; an approval of an earlier
/// commit, a withdrawn approval or a comment stamps nothing, and neither does a push that no pull
/// request merged. GitHub's API is a stand-in `gh` replaying responses in GitHub's format.
#[test]
fn stamp_workflow_records_the_approving_review_of_a_merged_pull_request() {
    let Some(python) = harness_python("stamp.yml") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = checkout(tmp.path());
    let docs = ws.join("examples/infusion-pump/regulatory-docs/system.sdoc");
    let git = |args: &str| String::from_utf8_lossy(&sh(&ws, &format!("git {args}")).stdout).trim().to_owned();
    sh(tmp.path(), "git init -q --bare origin.git");
    git("init -q -b main && git remote add origin ../origin.git");
    git(
        "-c user.name=t -c user.email=t@example.com commit -qm base --allow-empty && git add -A && git -c user.name=t -c user.email=t@example.com commit -qm base",
    );
    // The pull request: SYS-2 reworded (so SYS-2 and its child SW-3, both reviewed, become
    // unreviewed). An edit of SYS-3, unreviewed already, would stamp nothing at all (rtm.rs).
    let text = fs::read_to_string(&docs).expect("system.sdoc");
    let sys2 = text.find("UID: SYS-2").expect("SYS-2");
    let at = sys2 + text[sys2..].find("STATEMENT: >>>\n").expect("statement") + "STATEMENT: >>>\n".len();
    let edited = format!("{}Reworded. {}", &text[..at], &text[at..]);
    let base = git("rev-parse HEAD");
    fs::write(&docs, edited).expect("edit");
    git("-c user.name=t -c user.email=t@example.com commit -qam 'Merge pull request #12'");
    let merged = git("rev-parse HEAD");

    let head = "1111111111111111111111111111111111111111";
    let pulls = tmp.path().join("pulls.json");
    fs::write(
        &pulls,
        serde_json::json!([{
            "number": 12, "state": "closed", "merged_at": "2026-12-05T10:00:00Z", "merge_commit_sha": merged,
            "commits": 2, "user": {"login": "mallory-dev"}, "head": {"ref": "reword-sys-2", "sha": head},
            "base": {"ref": "main", "sha": git("rev-parse HEAD^1")},
        }])
        .to_string(),
    )
    .expect("pulls");
    let review = |login: &str, state: &str, commit: &str, at: &str| serde_json::json!({"user": {"login": login}, "state": state, "commit_id": commit, "submitted_at": at});
    let reviews = tmp.path().join("reviews.json");
    let timeline = tmp.path().join("timeline.json");
    fs::write(&timeline, r#"[{"event": "commented"}]"#).expect("timeline");
    // frank pushed a commit to the pull request; gina can only read the repository.
    let commits = serde_json::json!([
        {"author": {"login": "mallory-dev"}, "committer": {"login": "mallory-dev"}},
        {"author": {"login": "frank"}, "committer": {"login": "web-flow"}},
    ]);
    let cases = format!(
        r#"  "api repos/example/infusion-pump/commits/"*"/pulls") cat '{pulls}' ;;
  "api --paginate repos/example/infusion-pump/pulls/12/reviews") cat '{reviews}' ;;
  "api --paginate repos/example/infusion-pump/pulls/12/commits") echo '{commits}' ;;
  "api --paginate repos/example/infusion-pump/issues/"*"/timeline") cat '{timeline}' ;;
  "api repos/example/infusion-pump/collaborators/gina/permission --jq .permission") echo read ;;
  "api repos/example/infusion-pump/collaborators/"*"/permission --jq .permission") echo write ;;
  "auth setup-git") ;;
  "pr create "*) echo https://github.com/example/infusion-pump/pull/13 ;;
  "pr view https://github.com/example/infusion-pump/pull/13 --json headRefOid --jq .headRefOid")
    git -C ../origin.git rev-parse refs/heads/signet/stamp-pr-12 ;;"#,
        pulls = pulls.display(),
        reviews = reviews.display(),
        timeline = timeline.display()
    );
    let (path, log) = fake_gh(tmp.path(), r#""$*""#, &cases);
    let event = serde_json::json!({"before": base}).to_string();
    let stamp = |page_1: Value, page_2: Value| {
        // `gh api --paginate` prints one array per page.
        fs::write(&reviews, format!("{page_1}\n{page_2}\n")).expect("reviews");
        let github = [("sha", merged.as_str()), ("ref_name", "main"), ("event", event.as_str())];
        run_job(&python, "stamp.yml", "stamp", &ws, &github, &path)
    };

    // No approval of the merged commit: bob approved an earlier push, carol approved and then
    // requested changes, dave only commented, the author cannot approve their own, frank
    // committed to it, and gina has no write access.
    let ran = stamp(
        serde_json::json!([
            review("bob", "APPROVED", "0000000000000000000000000000000000000000", "2026-12-05T08:00:00Z"),
            review("carol", "APPROVED", head, "2026-12-05T08:30:00Z"),
            review("dave", "COMMENTED", head, "2026-12-05T09:00:00Z"),
            review("frank", "APPROVED", head, "2026-12-05T09:01:00Z"),
            review("gina", "APPROVED", head, "2026-12-05T09:02:00Z"),
        ]),
        serde_json::json!([
            review("carol", "CHANGES_REQUESTED", head, "2026-12-05T09:10:00Z"),
            review("mallory-dev", "APPROVED", head, "2026-12-05T09:20:00Z"),
        ]),
    );
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.step("stamp")["outputs"]["reviewers"], "", "{}", ran.dump());
    assert!(ran.has_annotation("warning", "without an approving review of its last commit"), "{:?}", ran.annotations());
    assert_eq!(git("status --porcelain"), "", "nothing stamped");

    let approved = || {
        (
            serde_json::json!([
                review("alice", "APPROVED", head, "2026-12-05T09:30:00Z"),
                review("bob", "APPROVED", "0000000000000000000000000000000000000000", "2026-12-05T08:00:00Z"),
            ]),
            serde_json::json!([review("erin", "APPROVED", head, "2026-12-05T09:40:00Z")]),
        )
    };
    // Approvals of a pull request whose base branch was changed after it was opened stamp nothing.
    fs::write(
        &timeline,
        r#"[{"event": "commented"}]
[{"event": "base_ref_changed"}]"#,
    )
    .expect("timeline");
    let (p1, p2) = approved();
    let ran = stamp(p1, p2);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert!(ran.has_annotation("warning", "base branch of pull request #12 was changed"), "{:?}", ran.annotations());
    assert_eq!(git("status --porcelain"), "", "nothing stamped");
    fs::write(&timeline, "[]").expect("timeline");

    // A branch of that name pushed beforehand is never reused: the job fails, and opens nothing.
    git("push -q origin HEAD:refs/heads/signet/stamp-pr-12");
    let (p1, p2) = approved();
    let ran = stamp(p1, p2);
    assert_eq!(ran.conclusion(), "failure", "{}", ran.dump());
    assert!(ran.has_annotation("error", "could not push signet/stamp-pr-12"), "{:?}", ran.annotations());
    assert!(!fs::read_to_string(&log).unwrap_or_default().contains("pr create"), "no pull request");
    git(
        "push -q origin --delete signet/stamp-pr-12 && git checkout -q -- . && git switch -q main && git branch -q -D signet/stamp-pr-12",
    );

    // Alice and Erin approved the merged commit: SYS-2 and SW-3 are stamped with their names;
    // SYS-3 and the requirements unreviewed before the merge are left, each with a warning.
    let (p1, p2) = approved();
    let ran = stamp(p1, p2);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    let outputs = &ran.step("stamp")["outputs"];
    assert_eq!(outputs["pull-request"], "12");
    assert_eq!(outputs["reviewers"], "alice, erin");
    assert_eq!(outputs["stamped"], "SW-3 SYS-2", "{}", ran.dump());
    assert_eq!(outputs["stamp-pull-request"], "https://github.com/example/infusion-pump/pull/13");
    for left in ["SYS-3", "SW-4", "SW-6"] {
        assert!(outputs["left"].as_str().expect("left").split(' ').any(|u| u == left), "{outputs}");
        assert!(
            ran.has_annotation("warning", &format!("{left} is left unreviewed: it was already")),
            "{:?}",
            ran.annotations()
        );
    }
    let calls = fs::read_to_string(&log).expect("gh log");
    assert!(calls.contains("pr create --base main --head signet/stamp-pr-12"), "{calls}");
    // The stamp is on its branch in the remote, and there SYS-2 and SW-3 are reviewed by them.
    let branch = tmp.path().join("branch");
    sh(tmp.path(), &format!("git clone -q -b signet/stamp-pr-12 origin.git '{}'", branch.display()));
    let index = tmp.path().join("rtm");
    let out = Command::new(SIGNET)
        .arg("--root")
        .arg(branch.join("examples/infusion-pump"))
        .args(["--format", "json", "rtm-gate", "--out"])
        .arg(&index)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("rtm-gate");
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    let index: Value = serde_json::from_slice(&fs::read(index.join("index.json")).expect("index")).expect("JSON");
    let req = |uid: &str| index["requirements"].as_array().expect("reqs").iter().find(|r| r["uid"] == uid).cloned();
    for uid in ["SYS-2", "SW-3"] {
        let r = req(uid).expect(uid);
        assert_eq!(r["state"], "reviewed", "{r}");
        assert_eq!(r["reviewed_by"], "alice, erin", "{r}");
    }
    assert_eq!(req("SYS-3").expect("SYS-3")["state"], "suspect-native");
    let changed = git("diff --name-only main signet/stamp-pr-12");
    assert_eq!(
        changed,
        "examples/infusion-pump/regulatory-docs/software.sdoc\nexamples/infusion-pump/regulatory-docs/system.sdoc",
        "only the documents of SW-3 and SYS-2"
    );

    // A pull request that edits review fields itself stamps nothing: a warning, or a notice when
    // it is the stamp's own pull request, merged.
    git("switch -q main && git merge -q --ff-only signet/stamp-pr-12");
    let stamp_merged = git("rev-parse HEAD");
    let after_stamp = serde_json::json!({"before": merged}).to_string();
    for (branch, level) in [("signet/stamp-pr-12", "notice"), ("stamp-it-myself", "warning")] {
        let pull = serde_json::json!([{
            "number": 13, "state": "closed", "merged_at": "2026-12-05T11:00:00Z", "merge_commit_sha": stamp_merged,
            "user": {"login": "someone"}, "head": {"ref": branch, "sha": stamp_merged}, "base": {"ref": "main"},
        }]);
        fs::write(&pulls, pull.to_string()).expect("pulls");
        let github = [("sha", stamp_merged.as_str()), ("ref_name", "main"), ("event", after_stamp.as_str())];
        let ran = run_job(&python, "stamp.yml", "stamp", &ws, &github, &path);
        assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
        assert!(ran.has_annotation(level, "edits review fields itself"), "{:?}", ran.annotations());
        assert_eq!(ran.step("stamp")["outputs"]["stamp-pull-request"], "", "{}", ran.dump());
    }

    // A push that no pull request merged stamps nothing.
    fs::write(&pulls, "[]").expect("pulls");
    let ran = stamp(serde_json::json!([]), serde_json::json!([]));
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert!(ran.has_annotation("notice", "is not the merge of a pull request"), "{:?}", ran.annotations());
}

/// The auto-stamp stamps nothing from a document whose text the pull request's diff never showed:
/// draft notes merged earlier outside the documents, brought in by a one-line symbolic link to
/// their folder, or by a two-line include.
#[test]
fn the_auto_stamp_refuses_documents_the_diff_never_showed() {
    let Some(python) = harness_python("stamp.yml") else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let ws = checkout(tmp.path());
    let pump = ws.join("examples/infusion-pump");
    let git = |args: &str| String::from_utf8_lossy(&sh(&ws, &format!("git {args}")).stdout).trim().to_owned();
    let commit = "-c user.name=t -c user.email=t@example.com commit -q";
    fs::create_dir_all(pump.join("drafts")).expect("mkdir");
    let system = fs::read_to_string(pump.join("regulatory-docs/system.sdoc")).expect("system.sdoc");
    let header = &system[..system.find("[REQUIREMENT]").expect("a requirement")];
    let draft = format!(
        "{}[REQUIREMENT]\nUID: DRAFT-1\nSTATUS: Draft\nTITLE: Fast infusion\nSTATEMENT: >>>\nThe pump may infuse at 1000 mL/h.\n<<<\n",
        header.replace("UID: DOC-SYS", "UID: DOC-DRAFT")
    );
    fs::write(pump.join("drafts/notes.sdoc"), &draft).expect("draft");
    let outside = draft.replace("UID: DOC-DRAFT", "UID: DOC-OUT").replace("UID: DRAFT-1", "UID: DRAFT-2");
    fs::write(ws.join("outside.sdoc"), outside).expect("outside the project");
    sh(tmp.path(), "git init -q --bare origin.git");
    git(&format!("init -q -b main && git remote add origin ../origin.git && git add -A && git {commit} -m base"));
    let base = git("rev-parse HEAD");
    let pulls = tmp.path().join("pulls.json");
    let cases = format!(
        r#"  "api repos/example/infusion-pump/commits/"*"/pulls") cat '{pulls}' ;;
  "api --paginate repos/example/infusion-pump/pulls/30/reviews") echo '[{{"user": {{"login": "alice"}}, "state": "APPROVED", "commit_id": "{head}", "submitted_at": "2026-12-05T09:30:00Z"}}]' ;;
  "api --paginate repos/example/infusion-pump/pulls/30/commits") echo '[{{"author": {{"login": "mallory-dev"}}}}]' ;;
  "api --paginate repos/example/infusion-pump/issues/30/timeline") echo '[]' ;;
  "api repos/example/infusion-pump/collaborators/alice/permission --jq .permission") echo write ;;
  "auth setup-git") ;;"#,
        pulls = pulls.display(),
        head = "2".repeat(40)
    );
    let (path, log) = fake_gh(tmp.path(), r#""$*""#, &cases);
    let event = serde_json::json!({"before": base}).to_string();
    let merge = |change: &str, expect: &str| {
        git(&format!("checkout -q -f main && git reset -q --hard {base} && git clean -qfd"));
        sh(&pump, change);
        git(&format!("add -A && git {commit} -m 'Merge pull request #30'"));
        let merged = git("rev-parse HEAD");
        let pull = serde_json::json!([{
            "number": 30, "merged_at": "2026-12-05T10:00:00Z", "merge_commit_sha": merged, "commits": 1,
            "user": {"login": "mallory-dev"}, "head": {"ref": "notes", "sha": "2".repeat(40)}, "base": {"ref": "main"},
        }]);
        fs::write(&pulls, pull.to_string()).expect("pulls");
        let github = [("sha", merged.as_str()), ("ref_name", "main"), ("event", event.as_str())];
        let ran = run_job(&python, "stamp.yml", "stamp", &ws, &github, &path);
        assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
        assert!(ran.has_annotation("warning", expect), "{:?}", ran.annotations());
        assert_eq!(ran.step("stamp")["outputs"]["stamp-pull-request"], "", "{}", ran.dump());
    };
    merge(
        "ln -s ../drafts regulatory-docs/sub",
        "DRAFT-1 is left unreviewed: regulatory-docs/sub/notes.sdoc:39 was not shown",
    );
    merge(
        "printf '\n[DOCUMENT_FROM_FILE]\nFILE: ../drafts/notes.sdoc\n' >> regulatory-docs/system.sdoc",
        "DRAFT-1 is left unreviewed: regulatory-docs/../drafts/notes.sdoc:39 was not shown",
    );
    // Renamed in from outside the project with a one-line edit: GitHub shows a rename, not text.
    merge(
        "git mv ../../outside.sdoc regulatory-docs/moved.sdoc && sed -i 's/UID: DOC-OUT/UID: DOC-MOVED/' regulatory-docs/moved.sdoc",
        "DRAFT-2 is left unreviewed: regulatory-docs/moved.sdoc:39 was not shown",
    );
    assert!(!fs::read_to_string(&log).expect("gh log").contains("pr create"), "no pull request opened");
}

/// The rest of seed 001's loop, after the request's pull request: three people enrol and sign,
/// the signatures workflow's final gate passes on their pull request (the trust file pinned by the
/// repository variable) and writes the archival manifest; once that lands, the archive job
/// verifies it and publishes bundle, .sha256, manifest, report and inspection package as release
/// assets; in an empty folder those assets and the trust file alone verify — with Signet and with
/// the reference verifier.
fn signatures_by_pull_request_then_the_archive_verifies_alone(
    python: &Path,
    tmp: &Path,
    ws: &Path,
    artefacts: &[String],
) {
    use crate::signing::{enroll, keygen, sign};
    let pump = ws.join("examples/infusion-pump");
    let store = tmp.join("artefacts");
    fs::create_dir_all(pump.join("dist")).expect("mkdir");
    fs::copy(store.join("release-evidence-v1.4.0/bundle.tar"), pump.join("dist/bundle.tar")).expect("the artefact");
    for (id, name, role) in
        [("dana", "Dana Whitfield", "QA"), ("eli", "Eli Novak", "ENGINEERING"), ("rosa", "Rosa Lindqvist", "RELEASE")]
    {
        keygen(&pump, id);
        enroll(&pump, id, name, role);
    }
    for (id, role) in [("dana", "QA"), ("eli", "ENGINEERING"), ("rosa", "RELEASE")] {
        let (code, out) = sign(&pump, id, role);
        assert_eq!(code, 0, "{out}");
    }
    let commit = "git -c user.name=t -c user.email=t@example.com commit -qm";
    sh(ws, &format!("rm -rf examples/infusion-pump/dist && git add -A && {commit} 'Sign v1.4.0'"));
    let published = tmp.join("published");
    fs::create_dir_all(&published).expect("mkdir");
    let cases = format!(
        r#"  "api --paginate") git -C '{ws}' diff --name-only main HEAD ;;
  "run list") echo 4242 ;;
  "run download")
    while [ $# -gt 0 ]; do case "$1" in --dir) dir="$2" ;; --name) name="$2" ;; esac; shift; done
    mkdir -p "$dir" && cp -r '{store}'/"$name"/. "$dir"/ ;;
  "release view") exit 1 ;;
  "release create") for a in "$@"; do [ -f "$a" ] && cp "$a" '{published}'/; done; true ;;"#,
        ws = ws.display(),
        store = store.display(),
        published = published.display()
    );
    let (path, _) = fake_gh(tmp, r#""$1 $2""#, &cases);
    let pin = sha256_hex(&fs::read(pump.join("signatures/trust.json")).expect("trust"));
    let mut extra = artefacts.to_vec();
    extra.extend(["--vars".to_string(), serde_json::json!({"SIGNET_TRUST_SHA256": pin}).to_string()]);
    let github = [("event", r#"{"pull_request":{"number":21}}"#), ("event_name", "pull_request")];
    let ran = run_job_with(python, ("signatures.yml", "final-gate"), ws, &github, &path, &extra);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.step("verify")["outputs"]["verify-status"], "pass", "{}", ran.dump());
    assert!(!ran.has_annotation("warning", "not pinned"), "{:?}", ran.annotations());
    let manifest = pump.join("signatures/release-v1.4.0.json");
    assert!(manifest.exists(), "the final gate wrote the archival manifest");
    // The manifest is merged into the default branch: the archive job runs.
    sh(
        ws,
        &format!(
            "git switch -q main && git merge -q --ff-only signet/request-v1.4.0 && git add -A && {commit} 'Archive'"
        ),
    );
    let ran = run_job_with(python, ("archive.yml", "archive"), ws, &[("ref_name", "main")], &path, &extra);
    assert_eq!(ran.conclusion(), "success", "{}", ran.dump());
    assert_eq!(ran.step("release")["outputs"]["release"], "v1.4.0", "{}", ran.dump());
    assert_eq!(ran.step("verify")["outputs"]["verify-status"], "pass", "{}", ran.dump());
    assert_eq!(
        file_names(&published),
        [
            "bundle-v1.4.0.tar",
            "bundle-v1.4.0.tar.sha256",
            "evidence-report-v1.4.0.pdf",
            "inspection-v1.4.0.tar.gz",
            "release-v1.4.0.json"
        ]
    );
    // Years later, in an empty folder: the published assets and the organisation's trust file.
    let dhf = tempfile::tempdir().expect("temp dir");
    sh(
        dhf.path(),
        &format!(
            "cp '{}'/* . && cp '{}' trust.json",
            published.display(),
            pump.join("signatures/trust.json").display()
        ),
    );
    sh(dhf.path(), "sha256sum -c --strict bundle-v1.4.0.tar.sha256 && tar -xzf inspection-v1.4.0.tar.gz");
    sh(&dhf.path().join("inspection-v1.4.0"), "sha256sum -c --strict SHA256SUMS");
    let args = ["--bundle", "bundle-v1.4.0.tar", "--manifest", "release-v1.4.0.json", "--trust", "trust.json"];
    let (code, out) = crate::reference::verify(dhf.path(), &args);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("signed   RELEASE (APPROVER) by Rosa Lindqvist"), "{out}");
}
