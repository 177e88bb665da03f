use std::fmt::Write as _;
use std::path::PathBuf;

use signet::cli::{CmdResult, Ctx, Outcome};
use signet::error::{Exit, StageError};

use crate::bench::{self, Measurement, ORACLE, TreeSpec};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where generated trees and outputs go (reused between runs).
    #[arg(long, value_name = "DIR", default_value = "target/bench")]
    pub dir: PathBuf,
    /// Trees 16× smaller: a smoke run, not a measurement.
    #[arg(long)]
    pub quick: bool,
    /// Timed runs per command, after one warm-up (median wall is reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Which benchmark: the evidence bundle and sums, the RTM gate, or both.
    #[arg(long, value_enum, default_value_t = Suite::All)]
    pub suite: Suite,
    /// Internal: one bare sha2 pass over a tree's files (the SHA-NI limit).
    #[arg(long, value_name = "DIR", hide = true)]
    pub raw_sha2: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Suite {
    All,
    Bundle,
    Rtm,
    Sign,
    Report,
}

#[derive(Debug)]
struct BenchError(String);

impl std::fmt::Display for BenchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bench: {}", self.0)
    }
}

impl StageError for BenchError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}

fn err(e: impl std::fmt::Display) -> Box<dyn StageError> {
    Box::new(BenchError(e.to_string()))
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    if let Some(dir) = &args.raw_sha2 {
        let d = bench::raw_sha2(dir).map_err(err)?;
        return Ok(Outcome { exit: Exit::Pass, text: format!("{d}\n"), json: serde_json::json!({ "sha256": d }) });
    }
    let dir = ctx.path(&args.dir);
    std::fs::create_dir_all(&dir).map_err(err)?;
    let dir = dir.canonicalize().map_err(err)?;
    let exe = std::env::current_exe().map_err(err)?;
    let exe = exe.display();
    let mut rows = Vec::new();
    let mut notes = String::new();
    if matches!(args.suite, Suite::All | Suite::Bundle) {
        bundle_suite(&args, &dir, &exe.to_string(), &mut rows)?;
        notes.push_str(&targets(&rows));
    }
    if matches!(args.suite, Suite::All | Suite::Rtm) {
        let rtm_rows = rtm_suite(&args, &dir, &exe.to_string())?;
        notes.push_str(&rtm_targets(&rtm_rows));
        rows.extend(rtm_rows);
    }
    if matches!(args.suite, Suite::All | Suite::Report) {
        let report_rows = report_suite(&args, &dir, &exe.to_string())?;
        notes.push_str(&report_targets(&report_rows));
        rows.extend(report_rows);
    }
    if matches!(args.suite, Suite::All | Suite::Sign) {
        let root = crate::fixtures::ensure_signed_release(&dir, 10).map_err(|e| Box::new(e) as Box<dyn StageError>)?;
        let script = format!("{exe} verify --bundle dist/bundle.tar --manifest signatures/bench");
        let m = bench::measure(
            "signatures",
            "signet verify, 10 signatures (10 KiB bundle)",
            &root,
            &script,
            args.runs.max(5),
            &[],
        )
        .map_err(err)?;
        let secs = bench::key_decryption_seconds();
        let wall = format!("{:.1} ms", m.wall_s * 1000.0);
        let _ = writeln!(
            notes,
            "signatures: verify of 10 signatures {wall} wall including process start (target < 50 ms); one key decryption (scrypt) {secs:.3} s (target ≥ 0.1 s)"
        );
        rows.push(m);
    }
    let mut text = bench::table(&rows);
    text.push('\n');
    text.push_str(&notes);
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::json!({ "measurements": rows }) })
}

fn bundle_suite(
    args: &Args,
    dir: &std::path::Path,
    exe: &str,
    rows: &mut Vec<Measurement>,
) -> Result<(), Box<dyn StageError>> {
    for spec in TreeSpec::standard(args.quick) {
        eprintln!("bench: preparing tree {} …", spec.name);
        let tree = bench::ensure_tree(dir, &spec).map_err(err)?;
        let out = dir.join(format!("out-{}", spec.name));
        std::fs::create_dir_all(&out).map_err(err)?;
        let o = out.display();
        let commands = [
            ("signet bundle (tar written + hashed)", format!("{exe} bundle --evidence . --out {o}/b.tar")),
            ("signet bundle --hash-only", format!("{exe} bundle --evidence . --hash-only")),
            ("GNU tar oracle | sha256sum", format!("{ORACLE} | sha256sum")),
            ("GNU tar oracle | openssl dgst -sha256", format!("{ORACLE} | openssl dgst -sha256")),
            ("GNU tar oracle | tee FILE | sha256sum", format!("{ORACLE} | tee {o}/gnu.tar | sha256sum")),
            // The fastest stock pipeline: tar's default blocking (20 records) writes 10 KiB at a
            // time instead of 512 bytes; its tar differs from the bundle only in the end padding.
            ("GNU tar -b20 | openssl dgst -sha256", format!("{} | openssl dgst -sha256", bench::oracle_blocked(20))),
            ("bare sha2 pass (SHA-NI limit)", format!("{exe} bench --raw-sha2 .")),
            ("signet sums (write SHA256SUMS)", format!("{exe} sums . --out {o}/SHA256SUMS")),
            (
                "find | sort | xargs sha256sum",
                format!("find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum > {o}/SHA256SUMS.gnu"),
            ),
            (
                "find | sort | xargs -P2 sha256sum",
                format!(
                    "find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -P2 -n 2000 sha256sum > {o}/SHA256SUMS.gnu2"
                ),
            ),
            ("signet sums --check", format!("{exe} sums --check {o}/SHA256SUMS")),
            ("sha256sum -c --strict", format!("sha256sum -c --strict --quiet {o}/SHA256SUMS")),
        ];
        let commands: Vec<(&str, String)> = commands.into_iter().collect();
        let fresh = ["b.tar", "b.tar.sha256", "gnu.tar"].map(|name| out.join(name));
        rows.extend(bench::measure_interleaved(spec.name, &commands, &tree, args.runs, &fresh).map_err(err)?);
    }
    Ok(())
}

/// 10,000 requirements and 100,000 test cases (1,000 and 10,000 with --quick): the full gate
/// against `strictdoc export --formats=json` on the same documents.
fn rtm_suite(args: &Args, dir: &std::path::Path, exe: &str) -> Result<Vec<Measurement>, Box<dyn StageError>> {
    let (n, tests) = if args.quick { (1_000, 10_000) } else { (10_000, 100_000) };
    eprintln!("bench: preparing RTM corpus of {n} requirements, {tests} test cases …");
    let root = bench::ensure_rtm_corpus(dir, n, tests).map_err(err)?;
    prepare_review_state(&root)?;
    let name = format!("RTM {n}");
    let gate = format!(
        "{exe} rtm-gate --fail-on-suspect --docs 'regulatory-docs/*.sdoc' --junit 'junit/*.xml' --out out; test $? -le 1"
    );
    let mut commands = vec![("signet rtm-gate (full gate)", gate)];
    let strictdoc = dir.join("venv/bin/strictdoc");
    if strictdoc.exists() {
        eprintln!("bench: {name}: with strictdoc export --formats=json, in turn (slow)");
        let script =
            format!("{} export --formats=json --output-dir sd-out regulatory-docs > sd.log 2>&1", strictdoc.display());
        commands.push(("strictdoc 0.30.4 export --formats=json", script));
    } else {
        eprintln!("bench: StrictDoc not installed (run scripts/install-bench-deps); skipping the peer");
    }
    let fresh = ["out", "sd-out"].map(PathBuf::from);
    let mut rows = bench::measure_interleaved(&name, &commands, &root, args.runs, &fresh).map_err(err)?;
    let big = if args.quick { 6_250 } else { 100_000 };
    let stamp_root = bench::ensure_rtm_corpus(dir, big, 0).map_err(err)?;
    let stamp = format!("{exe} stamp --all --docs 'regulatory-docs/*.sdoc' --by bench");
    rows.push(
        bench::measure(&format!("stamp {big}"), "signet stamp --all", &stamp_root, &stamp, args.runs, &[])
            .map_err(err)?,
    );
    for shape in shapes(args.quick) {
        let root = bench::ensure_shape(dir, shape).map_err(err)?;
        let gate = format!("{exe} rtm-gate --docs 'regulatory-docs/*.sdoc' --junit none --out out; test $? -le 1");
        let fresh = [PathBuf::from("out")];
        let gated = bench::measure(&shape.name(), "signet rtm-gate (unreviewed)", &root, &gate, args.runs, &fresh);
        rows.push(gated.map_err(err)?);
    }
    Ok(rows)
}

/// Issue #19's adversarial shapes: a 200,000-deep chain (target < 2 s, 300 MiB), a lattice whose
/// bottom requirements have 9,900 ancestors each, and 100,000 parents of one requirement.
fn shapes(quick: bool) -> [bench::Shape; 3] {
    let scale = if quick { 16 } else { 1 };
    [
        bench::Shape::Chain(200_000 / scale),
        bench::Shape::Lattice { layers: 100 / scale.min(4), width: 100 },
        bench::Shape::FanIn(100_000 / scale),
    ]
}

/// The evidence report (a preview: no signatures to verify) for 10,000 requirements and 100,000
/// test cases, HTML alone and with the PDF/A; and on 1,000 requirements against StrictDoc's own
/// HTML export of the same documents.
fn report_suite(args: &Args, dir: &std::path::Path, exe: &str) -> Result<Vec<Measurement>, Box<dyn StageError>> {
    let sizes: &[(usize, usize)] = if args.quick { &[(1_000, 10_000)] } else { &[(10_000, 100_000), (1_000, 10_000)] };
    let mut rows = Vec::new();
    for &(n, tests) in sizes {
        eprintln!("bench: preparing the report inputs for {n} requirements, {tests} test cases …");
        let root = bench::ensure_rtm_corpus(dir, n, tests).map_err(err)?;
        prepare_review_state(&root)?;
        bench::ensure_report_inputs(&root, exe).map_err(err)?;
        let name = format!("report {n}");
        let report = |pdf: &str, out: &str| {
            format!(
                "{exe} report --release bench --preview --bundle rep/bundle.tar --index rep/rtm/index.json --out rep/{out} {pdf}"
            )
        };
        let mut commands = vec![
            ("signet report (report.json + HTML)", report("", "html")),
            ("signet report --pdf (+ PDF/A)", report("--pdf", "pdf")),
        ];
        let strictdoc = dir.join("venv/bin/strictdoc");
        if n == 1_000 && strictdoc.exists() {
            let script = format!(
                "{} export --formats=html --output-dir sd-html regulatory-docs > sd-html.log 2>&1",
                strictdoc.display()
            );
            commands.push(("strictdoc 0.30.4 export --formats=html", script));
        }
        let fresh = ["rep/html", "rep/pdf", "sd-html"].map(PathBuf::from);
        rows.extend(bench::measure_interleaved(&name, &commands, &root, args.runs, &fresh).map_err(err)?);
    }
    Ok(rows)
}

fn report_targets(rows: &[Measurement]) -> String {
    let find = |tree: &str, label: &str| rows.iter().find(|m| m.tree == tree && m.label.starts_with(label));
    let mut notes = String::new();
    if let (Some(h), Some(p)) = (find("report 10000", "signet report ("), find("report 10000", "signet report --pdf")) {
        let _ = writeln!(
            notes,
            "report, 10,000 requirements / 100,000 tests: HTML {:.2} s (target < 2 s), with PDF/A {:.2} s (target < 15 s), peak RSS {:.0} MiB (target < 600 MiB)",
            h.wall_s,
            p.wall_s,
            p.max_rss_kib as f64 / 1024.0
        );
    }
    if let (Some(h), Some(sd)) = (find("report 1000", "signet report ("), find("report 1000", "strictdoc")) {
        let _ = writeln!(
            notes,
            "report, 1,000 requirements: signet HTML {:.2} s vs StrictDoc HTML export {:.1} s = {:.0}×",
            h.wall_s,
            sd.wall_s,
            bench::paired_ratio(h, sd)
        );
    }
    notes
}

/// Stamps the generated corpus once, then edits every 50th middle-level requirement, so the
/// gate has suspect-native and suspect-inherited requirements to find.
fn prepare_review_state(root: &std::path::Path) -> Result<(), Box<dyn StageError>> {
    let marker = root.join("stamped.done");
    if marker.exists() {
        return Ok(());
    }
    let opts = signet::rtm::stamp::StampOptions {
        root: root.to_path_buf(),
        docs: vec!["regulatory-docs/*.sdoc".into()],
        uids: Vec::new(),
        all: true,
        changed_since: None,
        by: "bench".into(),
    };
    signet::rtm::stamp::stamp(&opts).map_err(|e| Box::new(e) as Box<dyn StageError>)?;
    for entry in std::fs::read_dir(root.join("regulatory-docs")).map_err(err)? {
        let path = entry.map_err(err)?.path();
        let text = std::fs::read_to_string(&path).map_err(err)?;
        let edited: String = text
            .split_inclusive('\n')
            .map(|l| match l.strip_prefix("The system shall do thing ") {
                Some(rest)
                    if rest.split(' ').next().and_then(|n| n.parse::<usize>().ok()).is_some_and(|n| n % 50 == 7) =>
                {
                    format!("The system shall promptly do thing {rest}")
                }
                _ => l.to_string(),
            })
            .collect();
        std::fs::write(&path, edited).map_err(err)?;
    }
    std::fs::write(marker, "").map_err(err)
}

fn rtm_targets(rows: &[Measurement]) -> String {
    let mut s = String::new();
    let against = [
        ("stamp", "signet stamp --all", "was 11.8 s and 650 MiB at 100,000: quadratic"),
        ("chain", "signet rtm-gate", "target < 2 s and < 300 MiB"),
        ("lattice", "signet rtm-gate", "linear"),
        ("fan-in", "signet rtm-gate", "linear"),
    ];
    for (shape, what, target) in against {
        for r in rows.iter().filter(|r| r.tree.starts_with(shape)) {
            let rss = r.max_rss_kib as f64 / 1024.0;
            let _ = writeln!(s, "{}: {what} {:.2} s wall, peak RSS {rss:.1} MiB ({target})", r.tree, r.wall_s);
        }
    }
    if let Some(g) = rows.iter().find(|r| r.tree.starts_with("RTM") && r.label.starts_with("signet")) {
        let _ = writeln!(
            s,
            "{}: signet rtm-gate {:.3} s wall (target < 1 s), peak RSS {:.1} MiB (target < 200 MiB)",
            g.tree,
            g.wall_s,
            g.max_rss_kib as f64 / 1024.0
        );
        if let Some(sd) = rows.iter().find(|r| r.label.starts_with("strictdoc")) {
            let _ = writeln!(s, "{}: strictdoc / signet = {:.1}× (target ≥ 50×)", g.tree, bench::paired_ratio(g, sd));
        }
    }
    s
}

/// The targets, stated as measured ratios.
fn targets(rows: &[Measurement]) -> String {
    let get = |tree: &str, label: &str| rows.iter().find(|r| r.tree == tree && r.label.starts_with(label));
    let mut s = String::new();
    let mut ratio = |tree: &str, a: &str, b: &str, goal: &str| {
        if let (Some(x), Some(y)) = (get(tree, a), get(tree, b)) {
            let _ = writeln!(s, "tree {tree}: `{b}` / `{a}` = {:.2}× ({goal})", bench::paired_ratio(x, y));
        }
    };
    ratio("A", "signet bundle (tar", "GNU tar oracle | sha256sum", "target ≥ 3×");
    ratio("A", "signet bundle (tar", "GNU tar oracle | tee", "both write the tar");
    ratio("A", "signet bundle --hash", "GNU tar oracle | sha256sum", "neither writes the tar");
    ratio("A", "signet bundle (tar", "bare sha2", "target ≥ 0.77×, i.e. bundle within 1.3× of bare sha2");
    ratio("A", "signet bundle --hash", "bare sha2", "hash-only vs bare sha2");
    ratio("B", "signet bundle (tar", "GNU tar oracle | sha256sum", "target ≥ 2.5×");
    ratio("B", "signet bundle (tar", "GNU tar oracle | tee", "both write the tar");
    ratio("B", "signet bundle (tar", "GNU tar oracle | openssl", "the oracle's own blocking");
    ratio("B", "signet bundle (tar", "GNU tar -b20 | openssl", "the fastest stock pipeline");
    ratio("C", "signet bundle (tar", "GNU tar oracle | sha256sum", "target ≥ 2×");
    ratio("C", "signet bundle (tar", "GNU tar oracle | openssl", "the oracle's own blocking");
    ratio("C", "signet bundle (tar", "GNU tar -b20 | openssl", "target > 1×, the fastest stock pipeline");
    for tree in ["A", "B", "C"] {
        ratio(tree, "signet sums (", "find | sort | xargs sha256sum", "sums vs coreutils");
        ratio(tree, "signet sums (", "find | sort | xargs -P2", "target > 1×");
        ratio(tree, "signet sums --check", "sha256sum -c --strict", "target > 1×");
    }
    for r in rows.iter().filter(|r| r.label.starts_with("signet bundle") || r.label.starts_with("signet sums")) {
        let _ = writeln!(
            s,
            "tree {}: `{}` peak RSS {:.1} MiB (target < 64 MiB)",
            r.tree,
            r.label,
            r.max_rss_kib as f64 / 1024.0
        );
    }
    s
}
