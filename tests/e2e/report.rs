//! The evidence report end to end, on the example project: pending and signed releases, the
//! §11.50 manifestations as a browser renders them (headless Chromium, network watched), the
//! archival PDF/A checked with poppler and qpdf, byte-identical output, refusals of inputs that
//! do not belong together, and insta snapshots of report.json and the HTML.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::signing::{enroll, keygen, sign};
use crate::support::{Test, sh};

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const SIGNERS: [(&str, &str, &str); 3] =
    [("dana", "Dana Whitfield", "QA"), ("eli", "Eli Novak", "ENGINEERING"), ("rosa", "Rosa Lindqvist", "RELEASE")];

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/infusion-pump")
}

/// A copy of the example project with three enrolled signers, the gate's index.json, the
/// evidence SHA256SUMS and bundle under dist/, a request for v1.4.0, and `signed` roles signed.
pub(crate) fn example_release(signed: &[&str]) -> tempfile::TempDir {
    example_release_with(signed, |_| {})
}

/// As [`example_release`], with `setup` run in the copy before anyone enrols.
pub(crate) fn example_release_with(signed: &[&str], setup: impl FnOnce(&Path)) -> tempfile::TempDir {
    let t = Test::new();
    let d = t.path().to_path_buf();
    let copy = sh(&d, &format!("cp -r {}/. . && rm -rf target", example().display()));
    assert!(copy.status.success());
    setup(&d);
    for (id, name, role) in SIGNERS {
        keygen(&d, id);
        enroll(&d, id, name, role);
    }
    let t = Test::in_dir(t.into_dir()).args(["rtm-gate"]).status(1).run();
    let t = Test::in_dir(t.dir)
        .args(["bundle", "--evidence", "evidence", "--out", "dist/bundle.tar", "--sums", "dist/SHA256SUMS"])
        .run();
    let t = Test::in_dir(t.dir)
        .args(["request", "--release", "v1.4.0", "--bundle", "dist/bundle.tar", "--commit", COMMIT])
        .run();
    for (id, _, role) in SIGNERS.iter().filter(|s| signed.contains(&s.2)) {
        let (code, out) = sign(&d, id, role);
        assert_eq!(code, 0, "{out}");
    }
    t.dir
}

pub(crate) fn report(dir: &Path, out: &str, extra: &[&str]) -> crate::support::Ran {
    let owned = tempfile::TempDir::new_in(dir).unwrap();
    let root = dir.display().to_string();
    let out = dir.join(out).display().to_string();
    let mut args = vec!["--root", &root, "report", "--release", "v1.4.0", "--out", &out];
    let bundle = dir.join("dist/bundle.tar").display().to_string();
    args.extend(["--bundle", &bundle]);
    args.extend(extra);
    Test::in_dir(owned).args(args).run()
}

fn read_json(path: PathBuf) -> serde_json::Value {
    serde_json::from_slice(&fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_pending_release_renders_with_every_role_awaiting() {
    let repo = example_release(&[]);
    let ran = report(repo.path(), "report", &[]);
    assert!(ran.stdout.contains("PENDING: 0 of 3 required signature(s) valid, 3 awaiting"), "{}", ran.stdout);
    let model = read_json(repo.path().join("report/report.json"));
    assert_eq!(model["document"]["status"], "pending");
    let sigs = model["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 3);
    assert!(sigs.iter().all(|s| s["status"] == "awaiting" && s["printed_name"].is_null()));
    assert_eq!(sigs[2]["verification_text"], "awaiting signature — needs QA, ENGINEERING first");
    assert_eq!(model["rtm"]["summary"]["requirements"], 9);
    assert_eq!(model["rtm"]["bound_by_request"], true);
    assert_eq!(model["sha256sums"]["bound_by_request"], true);
    assert_eq!(model["tests"]["failed"], 1);
    let html = fs::read_to_string(repo.path().join("report/evidence-report.html")).unwrap();
    assert_eq!(html.matches("AWAITING SIGNATURE").count(), 3);
}

/// Chromium loads the signed report with a network log running: no request leaves the page
/// (a control page that does make requests proves the check can see them), the screenshot is
/// taken, and the printed page's text holds every manifestation.
#[test]
fn chromium_renders_the_signed_report_offline_with_every_manifestation() {
    let repo = example_release(&["QA", "ENGINEERING", "RELEASE"]);
    report(repo.path(), "report", &[]);
    let html = repo.path().join("report/evidence-report.html");
    let control = repo.path().join("control.html");
    fs::write(
        &control,
        "<img src=\"http://example.invalid/x.png\"><link rel=stylesheet href=\"https://cdn.example.invalid/a.css\">",
    )
    .unwrap();
    assert_eq!(page_requests(&control, repo.path()).len(), 2, "the network check must see a page's requests");
    assert_eq!(page_requests(&html, repo.path()), Vec::<String>::new(), "the report made network requests");

    let shot = repo.path().join("report.png");
    chromium(repo.path(), &[&format!("--screenshot={}", shot.display()), "--window-size=1200,3000"], &html);
    let png = fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 50_000, "screenshot of {} bytes", png.len());

    let printed = repo.path().join("printed.pdf");
    chromium(repo.path(), &[&format!("--print-to-pdf={}", printed.display()), "--no-pdf-header-footer"], &html);
    let text = pdftotext(&printed);
    let model = read_json(repo.path().join("report/report.json"));
    for s in model["signatures"].as_array().unwrap() {
        for key in ["printed_name", "signed_at_display", "meaning", "role"] {
            let want = s[key].as_str().unwrap();
            assert!(text.contains(want), "rendered text lacks {key} {want}\n{text}");
        }
        let definition = s["meaning_text"].as_str().unwrap();
        assert!(squash(&text).contains(&squash(definition)), "rendered text lacks the meaning text {definition}");
    }
    assert!(text.contains("SIGNED: all 3 required signature(s) valid"), "{text}");
    assert!(squash(&text).contains(model["bundle"]["sha256"].as_str().unwrap()));
}

/// Same inputs, same bytes: report.json, the HTML and the PDF can go into a later bundle.
#[test]
fn identical_inputs_give_byte_identical_reports() {
    let repo = example_release(&["QA", "ENGINEERING"]);
    report(repo.path(), "a", &["--pdf"]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    report(repo.path(), "b", &["--pdf"]);
    for f in ["report.json", "evidence-report.html", "evidence-report.pdf"] {
        let (a, b) =
            (fs::read(repo.path().join("a").join(f)).unwrap(), fs::read(repo.path().join("b").join(f)).unwrap());
        assert!(a == b, "{f} differs between two runs");
    }
    let model = read_json(repo.path().join("a/report.json"));
    assert_eq!(model["document"]["revision"], 2);
    assert_eq!(
        model["document"]["generated_at_basis"].as_str().unwrap().split(' ').take(5).collect::<Vec<_>>().join(" "),
        "time of the latest signature"
    );
}

/// The PDF/A as poppler and qpdf see it: identification, embedded fonts, structure, every page
/// rendered, the bundle hash and "Page X of Y" on every page, every manifestation in the text,
/// and the manifest and SHA256SUMS embedded byte for byte.
#[test]
fn the_pdf_is_archival_and_carries_the_manifestations_and_hash_on_every_page() {
    let repo = example_release(&["QA", "ENGINEERING", "RELEASE"]);
    report(repo.path(), "report", &["--pdf"]);
    let d = repo.path();
    let pdf = d.join("report/evidence-report.pdf");
    let model = read_json(d.join("report/report.json"));
    let info = tool(d, "pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("Tagged:          yes"), "{info}");
    let xmp = tool(d, "pdfinfo", &["-meta", pdf.to_str().unwrap()]);
    let pdfa =
        xmp.contains("<pdfaid:part>3</pdfaid:part>") && xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>");
    assert!(pdfa, "the XMP metadata does not identify PDF/A-3b:\n{xmp}");
    let pages: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    assert!(pages >= 2, "{info}");
    let fonts = tool(d, "pdffonts", &[pdf.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r.split_whitespace().rev().nth(4) == Some("yes")),
        "a font is not embedded:\n{fonts}"
    );
    tool(d, "qpdf", &["--check", pdf.to_str().unwrap()]);
    tool(d, "pdftoppm", &["-r", "20", "-png", pdf.to_str().unwrap(), d.join("page").to_str().unwrap()]);
    let pngs = fs::read_dir(d)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("page-"))
        .count();
    assert_eq!(pngs, pages, "pdftoppm rendered {pngs} of {pages} pages");
    let sha = model["bundle"]["sha256"].as_str().unwrap();
    for page in 1..=pages {
        let text =
            tool(d, "pdftotext", &["-f", &page.to_string(), "-l", &page.to_string(), pdf.to_str().unwrap(), "-"]);
        assert!(squash(&text).contains(sha), "page {page} lacks the bundle sha256:\n{text}");
        assert!(text.contains(&format!("Page {page} of {pages}")), "page {page} lacks its page number:\n{text}");
    }
    let text = squash(&tool(d, "pdftotext", &[pdf.to_str().unwrap(), "-"]));
    for s in model["signatures"].as_array().unwrap() {
        for key in ["printed_name", "signed_at_display", "meaning", "meaning_text", "role"] {
            let want = squash(s[key].as_str().unwrap());
            assert!(text.contains(&want), "the PDF lacks {key} {want}");
        }
    }
    let listed = tool(d, "pdfdetach", &["-list", pdf.to_str().unwrap()]);
    assert!(listed.contains("release-v1.4.0.json") && listed.contains("SHA256SUMS"), "{listed}");
    let saved = d.join("detached");
    fs::create_dir_all(&saved).unwrap();
    tool(d, "pdfdetach", &["-saveall", "-o", saved.to_str().unwrap(), pdf.to_str().unwrap()]);
    assert_eq!(fs::read(saved.join("SHA256SUMS")).unwrap(), fs::read(d.join("dist/SHA256SUMS")).unwrap());
    let manifest = read_json(saved.join("release-v1.4.0.json"));
    assert_eq!(manifest["bundle_sha256"], sha);
    // The embedded manifest is the archival record: it verifies on its own, given the
    // organisation's trust file.
    Test::in_dir(tempfile::tempdir().unwrap())
        .args([
            "verify",
            "--bundle",
            d.join("dist/bundle.tar").to_str().unwrap(),
            "--manifest",
            saved.join("release-v1.4.0.json").to_str().unwrap(),
            "--trust",
            d.join("signatures/trust.json").to_str().unwrap(),
        ])
        .stdout_contains("PASS: release v1.4.0")
        .run();
}

/// Runs a poppler/qpdf tool, failing with the install hint when it is missing.
pub(crate) fn tool(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}; {INSTALL}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{program} {args:?} failed:\n{text}");
    text
}

#[test]
fn inputs_that_do_not_belong_together_are_refused_and_nothing_is_written() {
    let repo = example_release(&["QA"]);
    let d = repo.path();
    let refused = |what: &str, prepare: &dyn Fn(&Path), extra: &[&str], expect: &str| {
        let case = tempfile::tempdir().unwrap();
        sh(case.path(), &format!("cp -r {}/. .", d.display()));
        prepare(case.path());
        let root = case.path().display().to_string();
        let mut args =
            vec!["--root", &root, "report", "--release", "v1.4.0", "--out", "out", "--bundle", "dist/bundle.tar"];
        args.extend(extra);
        let ran = Test::in_dir(tempfile::TempDir::new_in(case.path()).unwrap()).args(args).status(2).run();
        assert!(ran.stderr.contains(expect), "{what}: stderr lacks {expect:?}\n{}", ran.stderr);
        assert!(!case.path().join("out").exists(), "{what}: an output folder was written");
    };
    refused(
        "another bundle",
        &|p| {
            fs::write(p.join("dist/bundle.tar"), b"not the signed bundle").unwrap();
        },
        &[],
        "was requested (and signed) for",
    );
    refused(
        "missing index",
        &|p| {
            fs::remove_file(p.join("target/rtm/index.json")).unwrap();
        },
        &[],
        "run `signet rtm-gate` first",
    );
    refused(
        "edited index",
        &|p| {
            edit(p, "target/rtm/index.json", "\"reviewed\"", "\"reviewed\" ");
        },
        &[],
        "request recorded",
    );
    refused(
        "edited SHA256SUMS",
        &|p| {
            edit(p, "dist/SHA256SUMS", "  build/", "  build//");
        },
        &[],
        "this is not the file the release was requested with",
    );
    refused(
        "foreign signature",
        &|p| {
            foreign_signature(p);
        },
        &[],
        "is for bundle sha256",
    );
    refused(
        "no request",
        &|p| {
            fs::remove_dir_all(p.join("signatures/v1.4.0")).unwrap();
        },
        &[],
        "no request for release v1.4.0",
    );
    refused(
        "broken template override",
        &|p| {
            fs::create_dir_all(p.join("tpl")).unwrap();
            fs::write(p.join("tpl/evidence-report.html"), "{% for x in %}").unwrap();
        },
        &["--templates", "tpl"],
        "evidence-report.html:1",
    );
}

fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let text = fs::read_to_string(dir.join(rel)).unwrap();
    assert!(text.contains(from), "{rel} lacks {from}");
    fs::write(dir.join(rel), text.replacen(from, to, 1)).unwrap();
}

/// A QA signature whose statement names another bundle, as if copied from another release.
fn foreign_signature(dir: &Path) {
    use base64ct::{Base64, Encoding as _};
    let file = dir.join("signatures/v1.4.0/QA--dana.dsse.json");
    let mut env = read_json(file.clone());
    let mut statement: serde_json::Value =
        serde_json::from_slice(&Base64::decode_vec(env["payload"].as_str().unwrap()).unwrap()).unwrap();
    statement["subject"][0]["digest"]["sha256"] = "ab".repeat(32).into();
    env["payload"] = Base64::encode_string(&serde_json::to_vec(&statement).unwrap()).into();
    fs::write(file, serde_json::to_vec(&env).unwrap()).unwrap();
}

/// A template folder overrides the embedded HTML template.
#[test]
fn a_template_folder_overrides_the_embedded_html() {
    let repo = example_release(&[]);
    let tpl = repo.path().join("tpl");
    fs::create_dir_all(&tpl).unwrap();
    fs::write(tpl.join("evidence-report.html"), "{{ document.document_id }} {{ bundle.sha256 }}\n").unwrap();
    report(repo.path(), "report", &["--templates", &tpl.display().to_string()]);
    let html = fs::read_to_string(repo.path().join("report/evidence-report.html")).unwrap();
    let model = read_json(repo.path().join("report/report.json"));
    assert_eq!(
        html,
        format!(
            "{} {}",
            model["document"]["document_id"].as_str().unwrap(),
            model["bundle"]["sha256"].as_str().unwrap()
        )
    );
}

/// The example project's pending report, with the request's creation time and digest (the
/// only values that change from run to run) replaced by placeholders.
#[test]
fn example_report_snapshots() {
    let repo = example_release(&[]);
    report(repo.path(), "report", &[]);
    let request = fs::read(repo.path().join("signatures/v1.4.0/request.json")).unwrap();
    let created =
        read_json(repo.path().join("signatures/v1.4.0/request.json"))["created_at"].as_str().unwrap().to_string();
    let request_sha = crate::support::sha256_hex(&request);
    let normalise = |s: String| s.replace(&created, "[request created_at]").replace(&request_sha, "[request sha256]");
    let json = normalise(fs::read_to_string(repo.path().join("report/report.json")).unwrap());
    let html = normalise(fs::read_to_string(repo.path().join("report/evidence-report.html")).unwrap());
    insta::assert_snapshot!("example_pending_report_json", json);
    insta::assert_snapshot!("example_pending_report_html", html);
}

/// Collapses whitespace: a PDF's text breaks lines wherever the layout did.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join("")
}

const INSTALL: &str = "run scripts/install-test-deps (Debian packages chromium, poppler-utils, qpdf)";

fn chromium(dir: &Path, args: &[&str], page: &Path) {
    let profile = tempfile::TempDir::new_in(dir).unwrap();
    let out = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| panic!("chromium: {e}; {INSTALL}"));
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Every URL the page itself asked for, from Chromium's NetLog: requests whose network
/// isolation key is the page's own file:// site (the browser's background traffic has none).
fn page_requests(page: &Path, dir: &Path) -> Vec<String> {
    let log = tempfile::NamedTempFile::new_in(dir).unwrap();
    chromium(dir, &[&format!("--log-net-log={}", log.path().display()), "--dump-dom"], page);
    let net = read_json(log.path().to_path_buf());
    let start_job = net["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64().expect("NetLog constants");
    let mut urls: Vec<String> = net["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job))
        .filter(|e| e["params"]["network_isolation_key"].as_str().is_some_and(|k| k.starts_with("file://")))
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_owned))
        .filter(|u| !u.starts_with("file:"))
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext: {e}; {INSTALL}"));
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A delegated signature and a withdrawn rejection, as a reader of the HTML (headless Chromium)
/// and of the PDF/A (pdftotext) sees them. `SIGNET_KEEP_SHOTS=DIR` keeps the screenshot for a
/// person to look at.
#[test]
fn a_delegated_signature_and_a_withdrawal_are_shown_in_html_and_pdf() {
    use crate::signing::{PASSWORD, at_terminal};
    let repo = example_release_with(&[], |d| {
        keygen(d, "sam");
        enroll(d, "sam", "Sam Okafor", "ENGINEERING");
        keygen(d, "val");
        enroll(d, "val", "Val Moreau", "RELEASE");
    });
    let d = repo.path();
    let ceremony = |args: &[&str], reason: &str| {
        let dialogue = [("type the release id", "v1.4.0"), ("Reason", reason), ("Password: ", PASSWORD)];
        let (code, out) = at_terminal(d, args, &dialogue);
        assert_eq!(code, 0, "{out}");
    };
    let sam = ["--release", "v1.4.0", "--role", "ENGINEERING", "--key", "keys/sam.key"];
    ceremony(&[&["sign", "--reject"][..], &sam].concat(), "wrong firmware build attached");
    ceremony(&[&["sign", "--withdraw"][..], &sam].concat(), "rejected the wrong release candidate");
    let now = signet::sign::Timestamp::now();
    let window = (signet::sign::Timestamp(now.0 - 3600), signet::sign::Timestamp(now.0 + 86_400));
    let (code, out) = crate::delegation::delegate(d, ("dana", "val", "QA"), window);
    assert_eq!(code, 0, "{out}");
    let val = ["sign", "--release", "v1.4.0", "--role", "QA", "--key", "keys/val.key", "--on-behalf-of", "dana"];
    ceremony(&val, "");
    for (id, role) in [("eli", "ENGINEERING"), ("rosa", "RELEASE")] {
        let (code, out) = sign(d, id, role);
        assert_eq!(code, 0, "{out}");
    }
    report(d, "report", &["--pdf"]);
    let model = read_json(d.join("report/report.json"));
    assert_eq!(model["document"]["status"], "signed", "{model}");
    assert_eq!(model["signatures"][0]["on_behalf_of"], "Dana Whitfield (dana)");
    assert_eq!(model["retired"][0]["kind"], "withdrawn");

    let html = d.join("report/evidence-report.html");
    let printed = d.join("printed.pdf");
    chromium(d, &[&format!("--print-to-pdf={}", printed.display()), "--no-pdf-header-footer"], &html);
    let shot = d.join("delegated.png");
    chromium(d, &[&format!("--screenshot={}", shot.display()), "--window-size=1200,2400"], &html);
    if let Ok(keep) = std::env::var("SIGNET_KEEP_SHOTS") {
        fs::copy(&shot, Path::new(&keep).join("delegated-and-withdrawn.png")).unwrap();
        fs::copy(d.join("report/evidence-report.pdf"), Path::new(&keep).join("delegated-and-withdrawn.pdf")).unwrap();
    }
    for text in [pdftotext(&printed), pdftotext(&d.join("report/evidence-report.pdf"))] {
        let flat = squash(&text);
        for want in ["On behalf of", "Dana Whitfield", "Val Moreau", "WITHDRAWN", "rejected the wrong"] {
            assert!(flat.contains(&squash(want)), "`{want}` not rendered:\n{text}");
        }
    }
}
