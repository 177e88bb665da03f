//! `cargo xtask soup`: Signet's SOUP register entry for one release (issue #18), from
//! `cargo metadata` (every crate a Signet binary links, on any platform, with its licence), the
//! release binaries' SHA-256, and the known anomalies of the release's CSA record.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use signet::cli::{CmdResult, Ctx, Outcome, boxed};
use signet::error::{Exit, StageError};
use signet::formats::validation::{Binary, Dependency, SOUP_VERSION, SoupEntry};

/// The package whose binary is shipped, as the workspace names it.
const SHIPPED: &str = "xtask";
const SOURCE: &str = "https://github.com/signet-dev/signet";
/// A release binary is about 64 MB; anything above this is not one.
const BINARY_CAP: u64 = 1 << 30;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release's CSA record: its issues are the entry's known anomalies.
    #[arg(long, value_name = "FILE", default_value = "validation/csa-record.toml")]
    pub record: PathBuf,
    /// A release binary (repeat for each platform's).
    #[arg(long = "binary", value_name = "FILE")]
    pub binaries: Vec<PathBuf>,
    /// Where to write the entry (signet.soup-entry/v1 JSON).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug)]
pub struct SoupError(String);

impl std::fmt::Display for SoupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl StageError for SoupError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}

pub fn run(args: Args, ctx: &Ctx) -> CmdResult {
    let record = signet::validation::record(&ctx.path(&args.record)).map_err(boxed)?;
    let binaries = args.binaries.iter().map(|b| binary(&ctx.path(b))).collect::<Result<Vec<_>, _>>().map_err(boxed)?;
    let (version, license, dependencies) = dependencies(&ctx.root).map_err(boxed)?;
    if version != record.version {
        return Err(boxed(SoupError(format!(
            "{}: the CSA record covers version {}, but this workspace is {version}: write the record of this release",
            args.record.display(),
            record.version
        ))));
    }
    let entry = SoupEntry {
        schema: SOUP_VERSION.id(),
        name: "Signet".into(),
        version,
        license,
        source: SOURCE.into(),
        binaries,
        dependencies,
        anomalies: record.issues,
        generated_by: signet::formats::crate_version(),
    };
    let out = ctx.path(&args.out);
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| boxed(SoupError(format!("cannot create {}: {e}", dir.display()))))?;
    }
    let text = signet::output::json::to_string(&entry);
    signet::fsx::atomic::write(&out, text.as_bytes())
        .map_err(|e| boxed(SoupError(format!("cannot write {}: {e}", out.display()))))?;
    Ok(Outcome {
        exit: Exit::Pass,
        text: format!(
            "wrote {}: Signet {}, {} binaries, {} dependencies, {} known anomalies\n",
            out.display(),
            entry.version,
            entry.binaries.len(),
            entry.dependencies.len(),
            entry.anomalies.len()
        ),
        json: serde_json::to_value(&entry).expect("serialises"),
    })
}

fn binary(path: &Path) -> Result<Binary, SoupError> {
    let bytes = signet::fsx::read::read_bytes(path, BINARY_CAP)
        .map_err(|e| SoupError(format!("{}: {e}: give a release binary", path.display())))?;
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Binary { file, size: bytes.len() as u64, sha256: signet::digest::Digest::of(&bytes).hex() })
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    resolve: Resolve,
}

#[derive(Deserialize)]
struct Package {
    id: String,
    name: String,
    version: String,
    license: Option<String>,
    license_file: Option<String>,
    source: Option<String>,
}

#[derive(Deserialize)]
struct Resolve {
    nodes: Vec<Node>,
}

#[derive(Deserialize)]
struct Node {
    id: String,
    deps: Vec<NodeDep>,
}

#[derive(Deserialize)]
struct NodeDep {
    pkg: String,
    dep_kinds: Vec<DepKind>,
}

#[derive(Deserialize)]
struct DepKind {
    kind: Option<String>,
}

/// The shipped package's version and licence, and every crate its normal dependencies reach
/// (build scripts' and tests' own dependencies are not linked into the binary).
fn dependencies(root: &Path) -> Result<(String, String, Vec<Dependency>), SoupError> {
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .map_err(|e| SoupError(format!("cannot run cargo metadata: {e}")))?;
    if !output.status.success() {
        return Err(SoupError(format!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr))));
    }
    let meta: Metadata = serde_json::from_slice(&output.stdout)
        .map_err(|e| SoupError(format!("cargo metadata printed something unexpected: {e}")))?;
    let packages: BTreeMap<&str, &Package> = meta.packages.iter().map(|p| (p.id.as_str(), p)).collect();
    let nodes: BTreeMap<&str, &Node> = meta.resolve.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let shipped = meta
        .packages
        .iter()
        .find(|p| p.name == SHIPPED && p.source.is_none())
        .ok_or_else(|| SoupError(format!("{}: no workspace package `{SHIPPED}`", root.display())))?;
    let mut seen = BTreeSet::from([shipped.id.as_str()]);
    let mut queue = vec![shipped.id.as_str()];
    while let Some(id) = queue.pop() {
        let Some(node) = nodes.get(id) else { continue };
        for dep in node.deps.iter().filter(|d| d.dep_kinds.iter().any(|k| k.kind.is_none())) {
            if seen.insert(dep.pkg.as_str()) {
                queue.push(dep.pkg.as_str());
            }
        }
    }
    seen.remove(shipped.id.as_str());
    let mut deps: Vec<Dependency> = seen
        .iter()
        .filter_map(|id| packages.get(id))
        .map(|p| Dependency {
            name: p.name.clone(),
            version: p.version.clone(),
            license: p
                .license
                .clone()
                .or_else(|| p.license_file.as_ref().map(|f| format!("see {f}")))
                .unwrap_or_else(|| "not declared".into()),
            source: match p.source.as_deref() {
                Some(s) if s.starts_with("registry+") => "crates.io".into(),
                Some(s) => s.to_string(),
                None => "this repository".into(),
            },
        })
        .collect();
    deps.sort();
    let license = shipped.license.clone().unwrap_or_else(|| "not declared".into());
    Ok((shipped.version.clone(), license, deps))
}

#[cfg(test)]
mod tests {
    /// The entry lists what the binary links, from the real `cargo metadata`: every crate with a
    /// declared licence, the test-only crates left out.
    #[test]
    fn dependencies_are_the_linked_crates_with_their_licences() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let (version, license, deps) = super::dependencies(&root).unwrap();
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
        assert_eq!(license, "Apache-2.0");
        let named = |n: &str| deps.iter().find(|d| d.name == n);
        let sha2 = named("sha2").expect("sha2 is linked");
        assert!(sha2.license.contains("MIT") && sha2.source == "crates.io", "{sha2:?}");
        assert_eq!(named("signet-pdf").map(|d| d.source.as_str()), Some("this repository"));
        for test_only in ["insta", "proptest", "signet-dev"] {
            assert!(named(test_only).is_none(), "{test_only} is not linked into signet");
        }
        assert!(deps.iter().all(|d| d.license != "not declared"), "every linked crate declares a licence");
        assert!(deps.len() > 100, "{} crates", deps.len());
    }
}
