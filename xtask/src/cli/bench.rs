use std::fmt::Write as _;
use std::path::PathBuf;

use crate::bench::{self, Measurement, ORACLE, TreeSpec};
use crate::error::{Exit, StageError};

use super::{CmdResult, Ctx, Outcome};

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
    /// Internal: one bare sha2 pass over a tree's files (the SHA-NI limit).
    #[arg(long, value_name = "DIR", hide = true)]
    pub raw_sha2: Option<PathBuf>,
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
    for spec in TreeSpec::standard(args.quick) {
        eprintln!("bench: preparing tree {} …", spec.name);
        let tree = bench::ensure_tree(&dir, &spec).map_err(err)?;
        let out = dir.join(format!("out-{}", spec.name));
        std::fs::create_dir_all(&out).map_err(err)?;
        let o = out.display();
        let commands = [
            ("signet bundle (tar written + hashed)", format!("{exe} bundle --evidence . --out {o}/b.tar")),
            ("signet bundle --hash-only", format!("{exe} bundle --evidence . --hash-only")),
            ("GNU tar oracle | sha256sum", format!("{ORACLE} | sha256sum")),
            ("GNU tar oracle | openssl dgst -sha256", format!("{ORACLE} | openssl dgst -sha256")),
            ("GNU tar oracle | tee FILE | sha256sum", format!("{ORACLE} | tee {o}/gnu.tar | sha256sum")),
            ("bare sha2 pass (SHA-NI limit)", format!("{exe} bench --raw-sha2 .")),
            ("signet sums", format!("{exe} sums . --out {o}/SHA256SUMS")),
            (
                "find | sort | xargs sha256sum",
                format!("find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum > {o}/SHA256SUMS.gnu"),
            ),
        ];
        for (label, script) in commands {
            eprintln!("bench: tree {}: {label}", spec.name);
            rows.push(bench::measure(spec.name, label, &tree, &script, args.runs).map_err(err)?);
        }
    }
    let mut text = bench::table(&rows);
    text.push('\n');
    text.push_str(&targets(&rows));
    Ok(Outcome { exit: Exit::Pass, text, json: serde_json::json!({ "measurements": rows }) })
}

/// The targets, stated as measured ratios.
fn targets(rows: &[Measurement]) -> String {
    let get = |tree: &str, label: &str| rows.iter().find(|r| r.tree == tree && r.label.starts_with(label));
    let mut s = String::new();
    let mut ratio = |tree: &str, a: &str, b: &str, goal: &str| {
        if let (Some(x), Some(y)) = (get(tree, a), get(tree, b)) {
            let _ = writeln!(s, "tree {tree}: `{b}` / `{a}` = {:.2}× ({goal})", y.wall_s / x.wall_s.max(0.001));
        }
    };
    ratio("A", "signet bundle (tar", "GNU tar oracle | sha256sum", "target ≥ 3×");
    ratio("A", "signet bundle (tar", "GNU tar oracle | tee", "both write the tar");
    ratio("A", "signet bundle --hash", "GNU tar oracle | sha256sum", "neither writes the tar");
    ratio("A", "signet bundle (tar", "bare sha2", "target ≥ 0.77×, i.e. bundle within 1.3× of bare sha2");
    ratio("A", "signet bundle --hash", "bare sha2", "hash-only vs bare sha2");
    ratio("B", "signet bundle (tar", "GNU tar oracle | sha256sum", "target ≥ 2×");
    ratio("B", "signet bundle (tar", "GNU tar oracle | tee", "both write the tar");
    ratio("A", "signet sums", "find | sort", "sums vs coreutils");
    ratio("B", "signet sums", "find | sort", "sums vs coreutils");
    for r in rows.iter().filter(|r| r.label.starts_with("signet bundle")) {
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
