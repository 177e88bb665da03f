//! `bench`: Signet side by side with the tools it replaces, in one run, on generated trees.
//! Each command runs under GNU `time` for wall, CPU and peak RSS; results are ratios.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest as _, Sha256};

use signet::digest::Digest;
use signet::fsx::tree;

pub use signet::bundle::ORACLE;

/// The oracle at another blocking factor (`-b20` is tar's default). Built from `ORACLE` itself,
/// and loudly, so that rewording the oracle cannot leave the peer silently unchanged.
pub fn oracle_blocked(records: u32) -> String {
    let stem = ORACLE.strip_suffix(" -b1 -cf -").expect("ORACLE ends with ` -b1 -cf -`, the part the bench varies");
    format!("{stem} -b{records} -cf -")
}

#[derive(Debug, Clone)]
pub struct TreeSpec {
    pub name: &'static str,
    pub big_file: u64,
    pub small_files: usize,
    pub small_size: u64,
}

impl TreeSpec {
    /// Tree A: one 2 GiB file and 5,000 small files. Tree B: 20,000 files of 4 KiB. Tree C:
    /// 200,000 files of 1 KiB, so that growth in memory per file shows (issue #19).
    pub fn standard(quick: bool) -> [TreeSpec; 3] {
        let scale = if quick { 16 } else { 1 };
        [
            TreeSpec { name: "A", big_file: (2 << 30) / scale, small_files: 5_000 / scale as usize, small_size: 0 },
            TreeSpec { name: "B", big_file: 0, small_files: 20_000 / scale as usize, small_size: 4096 },
            TreeSpec { name: "C", big_file: 0, small_files: 200_000 / scale as usize, small_size: 1024 },
        ]
    }
}

/// Creates the tree once; a marker beside it records the spec it was built from.
pub fn ensure_tree(dir: &Path, spec: &TreeSpec) -> io::Result<PathBuf> {
    let root = dir.join(format!("tree-{}", spec.name));
    let marker = dir.join(format!("tree-{}.done", spec.name));
    let want = format!("{spec:?}");
    if fs::read_to_string(&marker).is_ok_and(|m| m == want) {
        return Ok(root);
    }
    if root.exists() {
        fs::remove_dir_all(&root)?;
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ spec.small_files as u64);
    if spec.big_file > 0 {
        fs::create_dir_all(root.join("build"))?;
        let mut f = io::BufWriter::with_capacity(1 << 20, fs::File::create(root.join("build/firmware.bin"))?);
        let mut buf = vec![0u8; 1 << 20];
        let mut left = spec.big_file;
        while left > 0 {
            rng.fill(&mut buf);
            let n = left.min(buf.len() as u64) as usize;
            f.write_all(&buf[..n])?;
            left -= n as u64;
        }
        f.flush()?;
    }
    for i in 0..spec.small_files {
        let sub = root.join(format!("reports/run-{:02}", i % 20));
        fs::create_dir_all(&sub)?;
        let size = if spec.small_size > 0 { spec.small_size } else { 256 + rng.next() % 16_000 };
        let mut buf = vec![0u8; size as usize];
        rng.fill(&mut buf);
        fs::write(sub.join(format!("case-{i:05}.xml")), &buf)?;
    }
    fs::write(marker, want)?;
    Ok(root)
}

/// xorshift64*: incompressible bytes without a dependency; quality is irrelevant here.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// The SHA-NI limit: one sha2 pass over every file's bytes in bundle order, nothing else.
pub fn raw_sha2(root: &Path) -> io::Result<Digest> {
    let files = tree::walk(root).map_err(|e| io::Error::other(format!("{e:?}")))?;
    let mut h = Sha256::new();
    // 128 KiB stays in L2 between the kernel's copy and the hash.
    let mut buf = vec![0u8; 128 << 10];
    for f in files {
        let mut file = fs::File::open(f.path(root))?;
        loop {
            let n = io::Read::read(&mut file, &mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
    }
    Ok(Digest::from_hasher(h))
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Measurement {
    pub tree: String,
    pub label: String,
    pub wall_s: f64,
    pub cpu_s: f64,
    pub max_rss_kib: u64,
    /// Every timed run's wall, in run order: round by round when commands were interleaved.
    pub walls: Vec<f64>,
}

/// Runs `script` under `bash -c` in `cwd`, `runs` times after one warm-up; keeps the median wall.
/// The `fresh` outputs are removed before every run, off the clock: see [`run_once`].
pub fn measure(
    tree: &str,
    label: &str,
    cwd: &Path,
    script: &str,
    runs: usize,
    fresh: &[PathBuf],
) -> io::Result<Measurement> {
    measure_with(tree, label, cwd, script, runs, true, fresh)
}

/// As `measure`; `warm_up = false` for peers so slow that a warm-up run would double the bench.
pub fn measure_with(
    tree: &str,
    label: &str,
    cwd: &Path,
    script: &str,
    runs: usize,
    warm_up: bool,
    fresh: &[PathBuf],
) -> io::Result<Measurement> {
    if warm_up {
        run_once(tree, label, cwd, script, fresh)?;
    }
    let samples = (0..runs).map(|_| run_once(tree, label, cwd, script, fresh)).collect::<io::Result<Vec<_>>>()?;
    Ok(median(samples))
}

/// Every command once as a warm-up, then `runs` rounds in which each runs once in turn
/// (A B C … A B C …): a machine that drifts during the bench drifts for every command alike, and
/// [`paired_ratio`] compares them round by round (issue #19). The `fresh` files (outputs that
/// some commands write) are removed before every run, off the clock: see [`run_once`].
pub fn measure_interleaved(
    tree: &str,
    commands: &[(&str, String)],
    cwd: &Path,
    runs: usize,
    fresh: &[PathBuf],
) -> io::Result<Vec<Measurement>> {
    for (label, script) in commands {
        eprintln!("bench: tree {tree}: warm-up {label}");
        run_once(tree, label, cwd, script, fresh)?;
    }
    let mut samples: Vec<Vec<Measurement>> = vec![Vec::new(); commands.len()];
    for round in 1..=runs {
        eprintln!("bench: tree {tree}: round {round} of {runs}");
        for ((label, script), mine) in commands.iter().zip(&mut samples) {
            mine.push(run_once(tree, label, cwd, script, fresh)?);
        }
    }
    Ok(samples.into_iter().map(median).collect())
}

/// The median over rounds of `peer`'s wall divided by `base`'s in the same round; the ratio of
/// the medians when they were not measured in the same rounds.
pub fn paired_ratio(base: &Measurement, peer: &Measurement) -> f64 {
    let mut ratios: Vec<f64> = base.walls.iter().zip(&peer.walls).map(|(b, p)| p / b.max(0.001)).collect();
    if ratios.len() < 2 || base.walls.len() != peer.walls.len() {
        return peer.wall_s / base.wall_s.max(0.001);
    }
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

fn median(mut samples: Vec<Measurement>) -> Measurement {
    let walls: Vec<f64> = samples.iter().map(|m| m.wall_s).collect();
    samples.sort_by(|a, b| a.wall_s.total_cmp(&b.wall_s));
    let mut m = samples.swap_remove(samples.len() / 2);
    m.walls = walls;
    m
}

/// One run under GNU `time`, for CPU (user + system) and peak RSS. The wall is this process's
/// clock around the run: GNU time counts hundredths of a second, a seventh of tree B's run.
///
/// The `fresh` outputs (files or folders, relative to `cwd`) are removed first, off the clock,
/// for Signet and its peers alike, so that every output is written where none was, as in a
/// release job's fresh checkout. Replacing the last run's 92 MB tar of tree B made `rename` wait
/// 11–16 ms on this machine's filesystem (ext4 without a journal, mounted `discard`: the old
/// file's blocks are trimmed synchronously, `blkdev_issue_discard` under `ext4_evict_inode`), and
/// the 200,000-deep chain's 247 MB of outputs about 40 ms: costs of deleting the previous
/// outputs, which `tar | sha256sum` never pays.
fn run_once(tree: &str, label: &str, cwd: &Path, script: &str, fresh: &[PathBuf]) -> io::Result<Measurement> {
    for path in fresh.iter().map(|p| cwd.join(p)) {
        let removed = match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => fs::remove_dir_all(&path),
            Ok(_) => fs::remove_file(&path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        };
        removed?;
    }
    let timing = std::env::temp_dir().join(format!("signet-bench-{}.time", std::process::id()));
    let start = std::time::Instant::now();
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%e %U %S %M", "-o"])
        .arg(&timing)
        .args(["bash", "-o", "pipefail", "-c", script])
        .current_dir(cwd)
        .stdout(std::process::Stdio::null())
        .status()?;
    let wall = start.elapsed().as_secs_f64();
    if !status.success() {
        return Err(io::Error::other(format!("`{script}` failed with {status}")));
    }
    let t = fs::read_to_string(&timing)?;
    let _ = fs::remove_file(&timing);
    let v: Vec<f64> = t.lines().last().unwrap_or("").split_whitespace().filter_map(|x| x.parse().ok()).collect();
    if v.len() != 4 {
        return Err(io::Error::other(format!("unexpected GNU time output: {t}")));
    }
    Ok(Measurement {
        tree: tree.into(),
        label: label.into(),
        wall_s: wall,
        cpu_s: v[1] + v[2],
        max_rss_kib: v[3] as u64,
        walls: vec![wall],
    })
}

/// A Markdown table with every figure and the ratio to the first row of its tree, round by round
/// where the rows were interleaved.
pub fn table(rows: &[Measurement]) -> String {
    let mut s = String::from(
        "| tree | command | wall s | CPU s | peak RSS MiB | wall ratio vs signet bundle |\n|---|---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let ratio = rows.iter().find(|b| b.tree == r.tree).map_or(1.0, |b| paired_ratio(b, r));
        let _ = writeln!(
            s,
            "| {} | {} | {:.3} | {:.2} | {:.1} | {:.2}× |",
            r.tree,
            r.label,
            r.wall_s,
            r.cpu_s,
            r.max_rss_kib as f64 / 1024.0,
            ratio
        );
    }
    s
}

/// The RTM benchmark corpus: `n` requirements on three levels (10% / 40% / 50%), each below the
/// top with one Parent link, spread over 20 documents; `tests` JUnit test cases in 10 files,
/// each linked to a bottom-level requirement by a `verifies` property.
pub fn ensure_rtm_corpus(dir: &Path, n: usize, tests: usize) -> io::Result<PathBuf> {
    let root = dir.join(format!("rtm-{n}"));
    let marker = dir.join(format!("rtm-{n}.done"));
    let want = format!("v1 {n} {tests}");
    if fs::read_to_string(&marker).is_ok_and(|m| m == want) {
        return Ok(root);
    }
    if root.exists() {
        fs::remove_dir_all(&root)?;
    }
    fs::create_dir_all(root.join("regulatory-docs"))?;
    fs::create_dir_all(root.join("junit"))?;
    let (top, mid) = (n / 10, n * 4 / 10);
    let level = |i: usize| {
        if i < top {
            0
        } else if i < top + mid {
            1
        } else {
            2
        }
    };
    let uid = |i: usize| match level(i) {
        0 => format!("SYS-{i}"),
        1 => format!("SW-{i}"),
        _ => format!("LL-{i}"),
    };
    let parent = |i: usize| match level(i) {
        0 => None,
        1 => Some(uid((i - top) % top)),
        _ => Some(uid(top + (i - top - mid) % mid)),
    };
    // Documents: 2 for the top level, 8 for the middle, 10 for the bottom.
    let doc_of = |i: usize| match level(i) {
        0 => i % 2,
        1 => 2 + i % 8,
        _ => 10 + i % 10,
    };
    let mut docs: Vec<String> =
        (0..20).map(|d| format!("[DOCUMENT]\nTITLE: Generated document {d}\n\n{BENCH_GRAMMAR}")).collect();
    for i in 0..n {
        let d = &mut docs[doc_of(i)];
        let _ = write!(
            d,
            "\n[REQUIREMENT]\nUID: {}\nTITLE: Requirement {i}\nSTATEMENT: >>>\nThe system shall do thing {i} within {} ms.\n<<<\n",
            uid(i),
            i % 1000
        );
        if let Some(p) = parent(i) {
            let _ = write!(d, "RELATIONS:\n- TYPE: Parent\n  VALUE: {p}\n");
        }
    }
    for (k, d) in docs.iter().enumerate() {
        fs::write(root.join(format!("regulatory-docs/doc-{k:02}.sdoc")), d)?;
    }
    let per_file = tests.div_ceil(10);
    for f in 0..10 {
        let mut x =
            String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"generated\">\n");
        for t in f * per_file..((f + 1) * per_file).min(tests) {
            let target = uid(top + mid + t % (n - top - mid));
            let _ = write!(
                x,
                "<testcase classname=\"gen.f{f}\" name=\"test_{t}\" time=\"0.001\"><properties><property name=\"verifies\" value=\"{target}\"/></properties>"
            );
            if t % 997 == 0 {
                x.push_str("<failure message=\"generated failure\">assert 1 == 2</failure>");
            }
            x.push_str("</testcase>\n");
        }
        x.push_str("</testsuite>\n</testsuites>\n");
        fs::write(root.join(format!("junit/results-{f}.xml")), x)?;
    }
    fs::write(marker, want)?;
    Ok(root)
}

/// An adversarial graph shape for the RTM gate (issue #19), every requirement unreviewed, in
/// one document: each requirement's parents are given by index.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// C-0 ← C-1 ← … ← C-(n-1).
    Chain(usize),
    /// `layers` layers of `width`; each requirement has two parents in the layer above.
    Lattice { layers: usize, width: usize },
    /// `n` top-level requirements, all parents of one requirement.
    FanIn(usize),
}

impl Shape {
    pub fn name(self) -> String {
        match self {
            Shape::Chain(n) => format!("chain {n}"),
            Shape::Lattice { layers, width } => format!("lattice {layers}x{width}"),
            Shape::FanIn(n) => format!("fan-in {n}"),
        }
    }

    fn len(self) -> usize {
        match self {
            Shape::Chain(n) => n,
            Shape::Lattice { layers, width } => layers * width,
            Shape::FanIn(n) => n + 1,
        }
    }

    fn parents(self, i: usize) -> Vec<usize> {
        match self {
            Shape::Chain(_) => i.checked_sub(1).into_iter().collect(),
            Shape::Lattice { width, .. } if i < width => Vec::new(),
            Shape::Lattice { width, .. } => {
                let above = (i / width - 1) * width;
                vec![above + i % width, above + (i + 1) % width]
            }
            Shape::FanIn(n) if i == n => (0..n).collect(),
            Shape::FanIn(_) => Vec::new(),
        }
    }
}

/// Writes the shape once as `shape-<name>/regulatory-docs/shape.sdoc`; returns its root.
pub fn ensure_shape(dir: &Path, shape: Shape) -> io::Result<PathBuf> {
    let root = dir.join(format!("shape-{}", shape.name().replace(' ', "-")));
    let doc = root.join("regulatory-docs/shape.sdoc");
    if doc.exists() {
        return Ok(root);
    }
    fs::create_dir_all(root.join("regulatory-docs"))?;
    let mut text = String::from("[DOCUMENT]\nTITLE: Shape\n\n");
    for i in 0..shape.len() {
        let _ = write!(text, "[REQUIREMENT]\nUID: C-{i}\nTITLE: Node {i}\n");
        let parents = shape.parents(i);
        if !parents.is_empty() {
            text.push_str("RELATIONS:\n");
        }
        for p in parents {
            let _ = write!(text, "- TYPE: Parent\n  VALUE: C-{p}\n");
        }
        text.push('\n');
    }
    let tmp = root.join("regulatory-docs/shape.sdoc.tmp");
    fs::write(&tmp, text)?;
    fs::rename(tmp, doc)?;
    Ok(root)
}

const BENCH_GRAMMAR: &str = "[GRAMMAR]
ELEMENTS:
- TAG: REQUIREMENT
  FIELDS:
  - TITLE: UID
    TYPE: String
    REQUIRED: True
  - TITLE: TITLE
    TYPE: String
    REQUIRED: True
  - TITLE: STATEMENT
    TYPE: String
    REQUIRED: True
  - TITLE: REVIEWED_HASH
    TYPE: String
    REQUIRED: False
  - TITLE: REVIEWED_BY
    TYPE: String
    REQUIRED: False
  - TITLE: REVIEWED_UPSTREAM
    TYPE: String
    REQUIRED: False
  RELATIONS:
  - TYPE: Parent
";

/// Seconds one decryption of a freshly encrypted key takes (the scrypt cost per signature).
pub fn key_decryption_seconds() -> f64 {
    let key = signet::sign::keys::generate();
    let pem = signet::sign::keys::encrypt_pem(&key, b"bench password 1234").expect("encrypting a fresh key");
    let start = std::time::Instant::now();
    let _ = signet::sign::keys::decrypt_pem(&pem, b"bench password 1234");
    start.elapsed().as_secs_f64()
}

/// The report benchmark's inputs beside a generated RTM corpus: a signing policy, the gate's
/// index.json, and the JUnit folder as the evidence bundle with its SHA256SUMS (under `rep/`).
pub fn ensure_report_inputs(root: &Path, exe: &str) -> io::Result<()> {
    if root.join("rep/report-inputs.done").exists() {
        return Ok(());
    }
    fs::write(
        root.join("signet.toml"),
        "[requirements]\ndocs = [\"regulatory-docs/*.sdoc\"]\njunit = [\"junit/*.xml\"]\nout = \"rep/rtm\"\n\n\
         [[signing.required]]\nrole = \"QA\"\nmeaning = \"REVIEWER\"\n\n\
         [[signing.required]]\nrole = \"RELEASE\"\nmeaning = \"APPROVER\"\nafter = [\"QA\"]\n",
    )?;
    let script = format!(
        "{exe} rtm-gate --out rep/rtm >/dev/null; test $? -le 1 && \
         {exe} bundle --evidence junit --out rep/bundle.tar --sums rep/SHA256SUMS >/dev/null"
    );
    let status = Command::new("bash").arg("-c").arg(&script).current_dir(root).status()?;
    if !status.success() {
        return Err(io::Error::other(format!("preparing the report inputs failed: {script}")));
    }
    fs::write(root.join("rep/report-inputs.done"), "v1")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_blocked_oracle_differs_from_the_oracle_only_in_its_blocking() {
        let b20 = super::oracle_blocked(20);
        assert!(b20.ends_with(" -b20 -cf -"), "{b20}");
        assert_eq!(b20.replace(" -b20 ", " -b1 "), super::ORACLE);
    }
}
