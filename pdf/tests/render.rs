//! The PDF as a reader and an archive see it, checked with poppler and qpdf rather than by peeking at
//! bytes: PDF/A identification, embedded fonts, structure, every page's footer, the §11.50
//! manifestations, the matrix's repeated legend and margins, attachments, determinism and error reporting.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::{Value, json};
use signet_pdf::{Attachment, PdfError, PdfInput, render};

const TEMPLATE: &str = include_str!("../../templates/evidence-report.typ");
const SAMPLE: &str = include_str!("fixtures/report-sample.json");
const CREATED: &str = "2026-11-20T10:15:00Z";
const INSTALL: &str = "apt-get install poppler-utils qpdf";

fn sample() -> Value {
    serde_json::from_str(SAMPLE).unwrap()
}

/// The bytes for the sample's two listed attachments.
fn sample_attachments() -> Vec<Attachment> {
    vec![
        Attachment {
            name: "release-v1.4.0.json".into(),
            mime: "application/json".into(),
            description: "assembled signature manifest (signet.manifest/v1)".into(),
            data: br#"{"schema":"signet.manifest/v1","release":"v1.4.0"}"#.to_vec(),
        },
        Attachment {
            name: "SHA256SUMS".into(),
            mime: "text/plain".into(),
            description: "SHA-256 of every evidence file".into(),
            data:
                b"b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c  evidence/junit/firmware-unit.xml\n"
                    .to_vec(),
        },
    ]
}

fn render_model(model: &Value, attachments: &[Attachment]) -> Result<Vec<u8>, PdfError> {
    let json = serde_json::to_vec(model).unwrap();
    render(&PdfInput { template: TEMPLATE, model_json: &json, attachments, created_utc: CREATED })
}

fn write(name: &str, pdf: &[u8]) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, pdf).unwrap();
    path
}

/// The sample, rendered once for all the tests that only read it.
fn sample_pdf() -> &'static Path {
    static PDF: OnceLock<PathBuf> = OnceLock::new();
    PDF.get_or_init(|| write("sample.pdf", &render_model(&sample(), &sample_attachments()).unwrap()))
}

/// Runs a poppler/qpdf tool; a missing tool fails the test with the install command, never skips it.
fn run(tool: &str, args: &[&str]) -> Output {
    match Command::new(tool).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!("{tool} is not installed: {INSTALL}"),
        Err(e) => panic!("{tool}: {e}"),
    }
}

fn stdout_of(tool: &str, args: &[&str]) -> String {
    let out = run(tool, args);
    assert!(out.status.success(), "{tool} {args:?}: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Each page's text with runs of whitespace as one space and the zero-width break opportunities the
/// template puts into identifiers removed.
fn pages_text(pdf: &Path) -> Vec<String> {
    let text = stdout_of("pdftotext", &["-layout", "-enc", "UTF-8", arg(pdf), "-"]);
    let mut pages: Vec<String> = text
        .split('\x0c')
        .map(|page| page.replace('\u{200B}', "").split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    if pages.last().is_some_and(String::is_empty) {
        pages.pop();
    }
    pages
}

/// PDF/A part and conformance from the XMP metadata, e.g. "3B": poppler 22.12's pdfinfo does not print
/// a "PDF subtype" line (newer ones do), the XMP `pdfaid` entries are what validators read anyway.
fn pdfa_flavour(pdf: &Path) -> String {
    let xmp = stdout_of("pdfinfo", &["-meta", arg(pdf)]);
    let field = |tag: &str| {
        let open = format!("<pdfaid:{tag}>");
        let start = xmp.find(&open).unwrap_or_else(|| panic!("no pdfaid:{tag} in the XMP:\n{xmp}")) + open.len();
        xmp[start..].split('<').next().unwrap().to_owned()
    };
    field("part") + &field("conformance")
}

fn page_count(pdf: &Path) -> usize {
    let info = stdout_of("pdfinfo", &[arg(pdf)]);
    let line = info.lines().find(|l| l.starts_with("Pages:")).expect("pdfinfo prints Pages:");
    line["Pages:".len()..].trim().parse().unwrap()
}

#[test]
fn sample_is_pdfa_3b_with_embedded_fonts_and_valid_structure() {
    let pdf = sample_pdf();
    assert_eq!(pdfa_flavour(pdf), "3B");
    let info = stdout_of("pdfinfo", &[arg(pdf)]);
    assert!(info.contains("Tagged:          yes"), "pdfinfo:\n{info}");
    assert!(info.contains("Title:           Release evidence report — v1.4.0"), "pdfinfo:\n{info}");

    let fonts = stdout_of("pdffonts", &[arg(pdf)]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "pdffonts lists no font:\n{fonts}");
    for row in rows {
        // Columns: name, type (may contain spaces), encoding, emb, sub, uni, object number, generation.
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {row}");
    }

    let check = run("qpdf", &["--check", arg(pdf)]);
    assert_eq!(check.status.code(), Some(0), "qpdf --check:\n{}", String::from_utf8_lossy(&check.stdout));

    let pages = page_count(pdf);
    let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sample-page");
    let out = run("pdftoppm", &["-r", "30", "-png", arg(pdf), arg(&prefix)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Poppler 22.12 (Debian 12) calls the valid `/MarkInfo << /Suspects false >>` a syntax error; newer
    // poppler does not. Anything else it says is a real problem.
    let complaints: Vec<&str> =
        stderr.lines().filter(|l| *l != "Syntax Error: Suspects object is wrong type (boolean)").collect();
    assert!(out.status.success() && complaints.is_empty(), "pdftoppm: {stderr}");
    for page in 1..=pages {
        // pdftoppm pads the page number to the width of the last one.
        let png = format!("{}-{page:0width$}.png", arg(&prefix), width = pages.to_string().len());
        assert!(std::fs::metadata(&png).is_ok_and(|m| m.len() > 0), "{png} missing");
    }
}

#[test]
fn every_page_shows_the_bundle_sha256_and_page_x_of_y() {
    let pdf = sample_pdf();
    let pages = pages_text(pdf);
    let sha = sample()["bundle"]["sha256"].as_str().unwrap().to_owned();
    assert_eq!(pages.len(), page_count(pdf));
    for (i, text) in pages.iter().enumerate() {
        assert!(text.contains(&sha), "page {} lacks the bundle sha256:\n{text}", i + 1);
        let marker = format!("Page {} of {}", i + 1, pages.len());
        assert!(text.contains(&marker), "page {} lacks {marker:?}:\n{text}", i + 1);
        assert!(text.contains("CONTROLLED COPY"), "page {} lacks the marking", i + 1);
    }
}

#[test]
fn every_signature_manifestation_is_shown() {
    let text = pages_text(sample_pdf()).join(" ");
    let model = sample();
    for s in model["signatures"].as_array().unwrap() {
        for key in ["meaning", "meaning_text"] {
            let want = s[key].as_str().unwrap();
            assert!(text.contains(want), "{key} {want:?} not in the PDF");
        }
        if s["status"] == "signed" {
            for key in ["printed_name", "signed_at_display", "email", "time_source_text", "verification_text"] {
                let want = s[key].as_str().unwrap();
                assert!(text.contains(want), "{key} {want:?} not in the PDF");
            }
        }
    }
    assert!(text.contains("awaiting signature"));
    assert!(text.contains("Prerequisites QA, ENGINEERING"), "the awaiting signature's prerequisites");
    for want in ["PENDING: 2 of 3 signatures valid, 1 awaiting", "RELEASE (APPROVER) — needs QA, ENGINEERING first"] {
        assert!(text.contains(want), "{want:?} not in the PDF");
    }
}

fn generated_row(i: usize, tests: Vec<Value>) -> Value {
    json!({
        "uid": format!("GEN-{i:05}"), "title": format!("Generated requirement {i}"),
        "document": "Generated", "file": "regulatory-docs/generated.sdoc", "line": i,
        "state": "reviewed", "suspect_causes": [], "verification": "passed", "verification_causes": [],
        "tests": tests
    })
}

#[test]
fn matrix_legend_repeats_on_every_page_with_rows_and_every_test_is_listed() {
    let mut model = sample();
    let rows: Vec<Value> = (1..=2000)
        .map(|i| {
            let outcome = if i == 999 { "failed" } else { "passed" };
            generated_row(
                i,
                vec![
                    json!({"id": format!("gen::req_{i}::first"), "outcome": "passed"}),
                    json!({"id": format!("gen::req_{i}::second"), "outcome": outcome}),
                ],
            )
        })
        .collect();
    model["rtm"]["rows"] = Value::Array(rows);
    let pdf = write("rows-2000.pdf", &render_model(&model, &sample_attachments()).unwrap());
    let pages = pages_text(&pdf);
    let with_rows: Vec<(usize, &String)> = pages.iter().enumerate().filter(|(_, t)| t.contains("GEN-0")).collect();
    assert!(with_rows.len() > 20, "2,000 rows should span many pages, got {}", with_rows.len());
    for (i, text) in with_rows.iter().skip(1) {
        assert!(
            text.contains("Traceability matrix: UID state verification title (source) / causes / tests"),
            "page {} has matrix rows but no legend:\n{text}",
            i + 1
        );
    }
    let all = pages.join(" ");
    for i in [1, 999, 2000] {
        let entry = format!(
            "GEN-{i:05} reviewed passed Generated requirement {i} (regulatory-docs/generated.sdoc:{i}) tests (2): gen::req_{i}::first, gen::req_{i}::second"
        );
        assert!(all.contains(&entry), "row {i} missing: {entry}");
    }
    assert!(all.contains("gen::req_999::second FAILED"), "a failed test is named with its outcome in capitals");
}

/// An identifier or a test id longer than a line is broken across lines, never run into the margin.
#[test]
fn long_identifiers_stay_inside_the_margins() {
    let mut model = sample();
    let long = |tag: &str| format!("{tag}::{}", "segment_of_a_very_long_name::".repeat(12));
    let tests = (0..40).map(|i| json!({"id": format!("{}{i}", long("t")), "outcome": "passed"})).collect();
    let mut row = generated_row(1, tests);
    row["uid"] = Value::from(long("UID"));
    row["suspect_causes"] = json!([long("cause")]);
    model["rtm"]["rows"] = json!([row]);
    let pdf = write("long-ids.pdf", &render_model(&model, &sample_attachments()).unwrap());
    let bbox = stdout_of("pdftotext", &["-bbox", arg(&pdf), "-"]);
    let right_edge = |line: &str| -> Option<f64> {
        let at = line.find("xMax=\"")? + "xMax=\"".len();
        line[at..].split('"').next()?.parse().ok()
    };
    // A4 is 595.3 pt wide and the side margins are 16 mm (45.4 pt); allow half a point of rounding.
    let limit = 595.3 - 45.4 + 0.5;
    let words: Vec<f64> = bbox.lines().filter(|l| l.contains("<word")).filter_map(right_edge).collect();
    assert!(words.len() > 200, "pdftotext -bbox found {} words", words.len());
    let over: Vec<&f64> = words.iter().filter(|&&x| x > limit).collect();
    assert!(over.is_empty(), "{} words end past the right margin ({limit} pt): {over:?}", over.len());
    let all: String = pages_text(&pdf).join("").split_whitespace().collect();
    assert!(all.contains(&format!("{}39", long("t"))), "the last long test id is in the text");
}

#[test]
fn identical_input_gives_identical_bytes() {
    let a = render_model(&sample(), &sample_attachments()).unwrap();
    let b = render_model(&sample(), &sample_attachments()).unwrap();
    assert!(a == b, "two renders of one input differ");
    assert_eq!(a, std::fs::read(sample_pdf()).unwrap());
    // The pinned time is the PDF's date; no clock is read.
    let info = stdout_of("pdfinfo", &["-isodates", arg(sample_pdf())]);
    assert!(
        info.lines().any(|l| l.split_whitespace().eq(["CreationDate:", "2026-11-20T10:15:00Z"])),
        "pdfinfo:\n{info}"
    );
}

#[test]
fn attachments_are_embedded_and_extractable() {
    let pdf = sample_pdf();
    let listed = stdout_of("qpdf", &["--list-attachments", arg(pdf)]);
    let detach = stdout_of("pdfdetach", &["-list", arg(pdf)]);
    assert!(detach.starts_with("2 embedded files"), "pdfdetach -list:\n{detach}");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("detached");
    std::fs::create_dir_all(&dir).unwrap();
    for a in sample_attachments() {
        assert!(listed.contains(&a.name), "qpdf --list-attachments lacks {}:\n{listed}", a.name);
        assert!(detach.contains(&a.name), "pdfdetach -list lacks {}:\n{detach}", a.name);
        let out = dir.join(&a.name);
        stdout_of("qpdf", &[arg(pdf), &format!("--show-attachment={}", a.name)]);
        stdout_of("pdfdetach", &["-savefile", &a.name, "-o", arg(&out), arg(pdf)]);
        assert_eq!(std::fs::read(&out).unwrap(), a.data, "{} extracted differently", a.name);
    }
}

#[test]
fn without_attachments_the_pdf_is_pdfa_2b() {
    let mut model = sample();
    model["attachments"] = json!([]);
    let pdf = write("no-attachments.pdf", &render_model(&model, &[]).unwrap());
    assert_eq!(pdfa_flavour(&pdf), "2B");
    assert!(stdout_of("pdfdetach", &["-list", arg(&pdf)]).starts_with("0 embedded files"));
    assert_eq!(run("qpdf", &["--check", arg(&pdf)]).status.code(), Some(0));
}

#[test]
fn a_broken_template_is_reported_with_line_and_column() {
    let template = "#let data = json(\"report.json\")\n\n= Title\nText #nosuchthing(data) more\n";
    let json = serde_json::to_vec(&sample()).unwrap();
    let input = PdfInput { template, model_json: &json, attachments: &sample_attachments(), created_utc: CREATED };
    let err = render(&input).unwrap_err();
    let PdfError::Typst(diags) = &err else { panic!("expected a typst error, got {err}") };
    assert_eq!((diags[0].file.as_deref(), diags[0].line, diags[0].column), (Some("template.typ"), 4, 7));
    let shown = err.to_string();
    assert!(shown.contains("template.typ:4:7: error: unknown variable: nosuchthing"), "{shown}");

    // An error inside a function is located where it happens, with the call that led there.
    let template = "#let f(x) = x.nokey\n#f((a: 1))\n";
    let err = render(&PdfInput { template, ..input }).unwrap_err().to_string();
    assert!(err.contains("template.typ:1:15: error: dictionary does not contain key \"nokey\""), "{err}");
    assert!(err.contains("hint: error occurred while calling `f` at template.typ:2:2"), "{err}");

    // A syntax error, and a field the model lacks (a template written for another schema).
    let err = render(&PdfInput { template: "#let x = (\n", ..input }).unwrap_err().to_string();
    assert!(err.contains("template.typ:1:"), "{err}");
    let template = "#let data = json(\"report.json\")\n#data.document.no_such_field\n";
    let err = render(&PdfInput { template, ..input }).unwrap_err().to_string();
    assert!(err.contains("template.typ:2:"), "{err}");
}

#[test]
fn bad_input_is_an_error_never_a_panic() {
    let json = serde_json::to_vec(&sample()).unwrap();
    let attachments = sample_attachments();
    let ok = PdfInput { template: TEMPLATE, model_json: &json, attachments: &attachments, created_utc: CREATED };
    let err = |input: PdfInput| render(&input).unwrap_err().to_string();

    assert!(err(PdfInput { model_json: b"{\"schema\": ", ..ok }).contains("report.json: not valid JSON"));
    for bad in [
        "",
        "2026-11-20",
        "2026-11-20T10:15:00",
        "2026-11-20T10:15:00+01:00",
        "2026-13-20T10:15:00Z",
        "2026-02-30T10:15:00Z",
        "2026-11-20T24:00:00Z",
        "２０26-11-20T10:15:00Z",
    ] {
        assert!(err(PdfInput { created_utc: bad, ..ok }).contains("not an RFC 3339 UTC time"), "{bad:?}");
    }
    assert!(render(&PdfInput { created_utc: "2026-11-20T10:15:00.123Z", ..ok }).is_ok());

    assert!(
        err(PdfInput { attachments: &attachments[..1], ..ok }).contains("\"SHA256SUMS\" but its bytes were not given")
    );
    let mut extra = attachments.clone();
    extra.push(Attachment {
        name: "x.txt".into(),
        mime: "text/plain".into(),
        description: String::new(),
        data: vec![],
    });
    assert!(
        err(PdfInput { attachments: &extra, ..ok }).contains("\"x.txt\" was given but report.json does not list it")
    );
    let mut sneaky = attachments.clone();
    sneaky[0].name = "../etc/passwd".into();
    assert!(err(PdfInput { attachments: &sneaky, ..ok }).contains("not a plain file name"));

    // Valid JSON that is not a report: the template's error, located.
    let e = err(PdfInput { model_json: b"{}", attachments: &[], ..ok });
    assert!(e.contains("template.typ:") && e.contains("does not contain key"), "{e}");

    let e = err(PdfInput { template: "#import \"@preview/cetz:0.3.0\": *\n", ..ok });
    assert!(e.contains("template.typ:1:9") && e.contains("no packages"), "{e}");
    let e = err(PdfInput { template: "#read(\"/etc/passwd\")\n", ..ok });
    assert!(e.contains("template.typ:1:7: error: file not found"), "{e}");
}
