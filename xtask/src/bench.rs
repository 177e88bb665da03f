//! `bench`: Signet side by side with the tools it replaces, in one run, on generated trees.
//! Each command runs under GNU `time` for wall, CPU and peak RSS; results are ratios.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest as _, Sha256};

use crate::digest::Digest;
use crate::fsx::tree;

/// The GNU tar oracle of DESIGN.md §5, to stdout.
pub const ORACLE: &str = "find . -type f -printf '%P\\0' | LC_ALL=C sort -z | \
env -u POSIXLY_CORRECT -u TAR_OPTIONS LC_ALL=C tar --format=posix \
--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
--owner=0 --group=0 --numeric-owner --mtime=@1 --mode=u=rwX,go=rX \
--hard-dereference --no-recursion --null -T - -b1 -cf -";

#[derive(Debug, Clone)]
pub struct TreeSpec {
    pub name: &'static str,
    pub big_file: u64,
    pub small_files: usize,
    pub small_size: u64,
}

impl TreeSpec {
    /// Tree A: one 2 GiB file and 5,000 small files. Tree B: 20,000 files of 4 KiB.
    pub fn standard(quick: bool) -> [TreeSpec; 2] {
        let scale = if quick { 16 } else { 1 };
        [
            TreeSpec { name: "A", big_file: (2 << 30) / scale, small_files: 5_000 / scale as usize, small_size: 0 },
            TreeSpec { name: "B", big_file: 0, small_files: 20_000 / scale as usize, small_size: 4096 },
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
        let mut file = fs::File::open(&f.path)?;
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
}

/// Runs `script` under `bash -c` in `cwd`, `runs` times after one warm-up; keeps the median wall.
pub fn measure(tree: &str, label: &str, cwd: &Path, script: &str, runs: usize) -> io::Result<Measurement> {
    let timing = std::env::temp_dir().join(format!("signet-bench-{}.time", std::process::id()));
    let mut samples = Vec::new();
    for i in 0..=runs {
        let status = Command::new("/usr/bin/time")
            .args(["-f", "%e %U %S %M", "-o"])
            .arg(&timing)
            .args(["bash", "-o", "pipefail", "-c", script])
            .current_dir(cwd)
            .stdout(std::process::Stdio::null())
            .status()?;
        if !status.success() {
            return Err(io::Error::other(format!("`{script}` failed with {status}")));
        }
        if i == 0 {
            continue;
        }
        let t = fs::read_to_string(&timing)?;
        let v: Vec<f64> = t.lines().last().unwrap_or("").split_whitespace().filter_map(|x| x.parse().ok()).collect();
        if v.len() != 4 {
            return Err(io::Error::other(format!("unexpected GNU time output: {t}")));
        }
        samples.push(Measurement {
            tree: tree.into(),
            label: label.into(),
            wall_s: v[0],
            cpu_s: v[1] + v[2],
            max_rss_kib: v[3] as u64,
        });
    }
    let _ = fs::remove_file(&timing);
    samples.sort_by(|a, b| a.wall_s.total_cmp(&b.wall_s));
    Ok(samples.swap_remove(samples.len() / 2))
}

/// A Markdown table with every figure and the ratio to the first row of its tree.
pub fn table(rows: &[Measurement]) -> String {
    let mut s = String::from(
        "| tree | command | wall s | CPU s | peak RSS MiB | wall ratio vs signet bundle |\n|---|---|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let base = rows.iter().find(|b| b.tree == r.tree).map_or(r.wall_s, |b| b.wall_s);
        let _ = writeln!(
            s,
            "| {} | {} | {:.2} | {:.2} | {:.1} | {:.2}× |",
            r.tree,
            r.label,
            r.wall_s,
            r.cpu_s,
            r.max_rss_kib as f64 / 1024.0,
            r.wall_s / base.max(0.001)
        );
    }
    s
}
