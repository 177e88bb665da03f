//! The release record: everything a verification needs, read from the release folder
//! (`signatures/<ID>/`) or from an archived manifest, and the manifest assembled from it.

use std::path::{Path, PathBuf};

use super::audit::Trail;
use super::layout::{self, KEYLESS_SUFFIX};
use super::policy::SigningConfig;
use super::registry::Registry;
use super::trust::{Anchoring, Trust, TrustFile};
use super::verdict::VerifyReport;
use super::{SignError, trusted_root};
use crate::digest::tagged as sha;
use crate::formats::ids::ReleaseId;
use base64ct::Encoding as _;

pub use crate::formats::manifest::{Manifest, ManifestEnvelope, RecordFile, TokenFile, VERSION as MANIFEST_VERSION};
use crate::formats::request::Request;
use crate::fsx::read::{MAX_RECORD_BYTES, read_text};

/// Everything a verification needs, read from the release folder or from a manifest.
#[derive(Debug, Clone)]
pub struct ReleaseRecord {
    pub request_text: String,
    /// (file name, exact text), sorted by name.
    pub envelopes: Vec<(String, String)>,
    pub registry: Registry,
    pub policy: SigningConfig,
    /// The release's events: its event files and, for a release recorded in the v1 layout, its chain.
    pub trail: Trail,
    /// Signers' signed withdrawals (file name, exact text), sorted by name.
    pub withdrawals: Vec<(String, String)>,
    /// RFC 3161 timestamp tokens of key-file signatures (file name, DER bytes), sorted by name.
    pub timestamps: Vec<(String, Vec<u8>)>,
    /// The Sigstore trusted root (exact text) keyless signatures are verified against: the
    /// pinned `signatures/trusted_root.json`, or the copy embedded in a manifest. Read only when
    /// the release has keyless signatures.
    pub trusted_root: Option<String>,
    /// Where the record was read from, with what that source says about itself.
    pub origin: Origin,
    /// What anchors the signers (`sign::trust`); set by the caller that knows the trust file.
    pub anchoring: Anchoring,
}

/// Where a release record was read from, and what the source claims about its content: the
/// gate checks each claim against the content (`sign::gate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `signatures/<name>/`: the folder's name must be the request's release id.
    Folder { name: String },
    /// An archived manifest's summary fields, which must agree with what they summarise.
    Manifest {
        release: ReleaseId,
        request_sha256: String,
        bundle_sha256: String,
        /// (file, the sha256 the manifest records for its text).
        envelopes: Vec<(String, String)>,
        /// The digest recorded for the embedded trusted root, if any.
        trusted_root_sha256: Option<String>,
    },
    /// A request not written yet (release-check's preview): nothing to claim.
    Preview,
}

impl ReleaseRecord {
    pub fn from_folder(root: &Path, dir: &Path, policy: &SigningConfig) -> Result<ReleaseRecord, SignError> {
        // Normalised first: `bench/` or `bench/.` would make lstat follow a link.
        let dir: &Path = &dir.components().collect::<PathBuf>();
        if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(SignError::input(
                dir,
                "is a symbolic link; a release folder is a real folder under signatures/",
            ));
        }
        // However it is spelled (`bench/../bench`), the real folder sits directly in the real
        // signatures/ folder.
        if let (Ok(real), Ok(signatures)) = (dir.canonicalize(), root.join(layout::DIR).canonicalize())
            && real.parent() != Some(signatures.as_path())
        {
            return Err(SignError::input(
                dir,
                "is a symbolic link, or reached through one; a release folder is a real folder under signatures/",
            ));
        }
        let read = |p: &Path| read_text(p, MAX_RECORD_BYTES).map_err(|e| SignError::input(p, e));
        let mut envelopes = Vec::new();
        let mut timestamps = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| SignError::input(dir, e))? {
            let entry = entry.map_err(|e| SignError::input(dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if layout::is_signature_file(&name) {
                envelopes.push((name, read(&entry.path())?));
            } else if name.ends_with(layout::TOKEN_SUFFIX) {
                let bytes = crate::fsx::read::read_bytes(&entry.path(), super::tsa::MAX_TOKEN_BYTES)
                    .map_err(|e| SignError::input(entry.path(), e))?;
                timestamps.push((name, bytes));
            }
        }
        envelopes.sort();
        // A token belongs to the key-file signature beside it; one left by a withdrawn
        // signature is not part of the record.
        timestamps
            .retain(|(t, _)| layout::envelope_of_token(t).is_some_and(|e| envelopes.iter().any(|(f, _)| *f == e)));
        timestamps.sort();
        let keyless = envelopes.iter().any(|(f, _)| f.ends_with(KEYLESS_SUFFIX));
        Ok(ReleaseRecord {
            request_text: read(&dir.join(layout::REQUEST))?,
            envelopes,
            registry: Registry::load(root)?.0,
            policy: policy.clone(),
            trail: Trail::read(dir)?,
            withdrawals: super::audit::read_small_files(
                &dir.join(layout::WITHDRAWALS),
                MAX_WITHDRAWALS,
                super::audit::MAX_EVENT_BYTES,
            )?,
            timestamps,
            trusted_root: if keyless { Some(trusted_root::read_pinned_root(root)?) } else { None },
            origin: Origin::Folder {
                name: dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            },
            anchoring: Anchoring::not_anchored(NO_TRUST),
        })
    }

    pub fn from_manifest(path: &Path) -> Result<(ReleaseRecord, Manifest), SignError> {
        let text = read_text(path, MAX_RECORD_BYTES).map_err(|e| SignError::input(path, e))?;
        let m: Manifest = MANIFEST_VERSION.read(text.as_bytes()).map_err(|e| SignError::input(path, e))?;
        let version = MANIFEST_VERSION.check(Some(&m.schema)).map_err(|e| SignError::input(path, e))?;
        if version < 2 && (!m.approvals.is_empty() || m.trust.is_some()) {
            return Err(SignError::input(path, format!("{} has `approvals` or `trust`, which only v2 has", m.schema)));
        }
        if version < 3 && (!m.events.is_empty() || !m.withdrawals.is_empty() || m.audit.is_empty()) {
            return Err(SignError::input(path, format!("{} has `events` or lacks `audit`; only v3 may", m.schema)));
        }
        if version < 4 && !m.timestamps.is_empty() {
            return Err(SignError::input(path, format!("{} has `timestamps`, which only v4 has", m.schema)));
        }
        if version < 5 && !m.delegations.is_empty() {
            return Err(SignError::input(path, format!("{} has `delegations`, which only v5 has", m.schema)));
        }
        let timestamps = manifest_tokens(path, &m)?;
        if m.trusted_root.is_none() && m.envelopes.iter().any(|e| e.file.ends_with(KEYLESS_SUFFIX)) {
            return Err(SignError::input(
                path,
                "holds keyless signatures (*.sigstore.json) but no embedded trusted_root to verify them against",
            ));
        }
        let record = ReleaseRecord {
            request_text: m.request.clone(),
            envelopes: m.envelopes.iter().map(|e| (e.file.clone(), e.envelope.clone())).collect(),
            registry: Registry {
                signer: m.signers.clone(),
                revocation: m.revocations.clone(),
                approval: m.approvals.clone(),
                delegation: m.delegations.clone(),
            },
            policy: m.policy.clone(),
            trail: Trail {
                chain: (!m.audit.is_empty()).then(|| m.audit.clone()),
                events: m.events.iter().map(|e| (e.file.clone(), e.text.clone())).collect(),
            },
            withdrawals: m.withdrawals.iter().map(|e| (e.file.clone(), e.text.clone())).collect(),
            timestamps,
            trusted_root: m.trusted_root.clone(),
            origin: Origin::Manifest {
                release: m.release.clone(),
                request_sha256: m.request_sha256.clone(),
                bundle_sha256: m.bundle_sha256.clone(),
                envelopes: m.envelopes.iter().map(|e| (e.file.clone(), e.sha256.clone())).collect(),
                trusted_root_sha256: m.trusted_root_sha256.clone(),
            },
            anchoring: Anchoring::not_anchored(NO_TRUST),
        };
        Ok((record, m))
    }

    /// The manifest for archival: only the registry entries and revocations this release used.
    pub fn manifest(&self, report: &VerifyReport) -> Manifest {
        let signed = report.signatures.iter().map(|s| s.record.key_id.as_str());
        let delegators = report
            .signatures
            .iter()
            .filter_map(|s| s.delegation.as_ref())
            .flat_map(|d| self.registry.entries(&d.delegator).map(|e| e.key_id.as_str()));
        let used: Vec<&str> = signed
            .chain(report.withdrawn.iter().map(|w| w.key_id.as_str()))
            .chain(report.superseded.iter().map(|x| x.revoked.key_id.as_str()))
            .chain(delegators)
            .collect();
        let signers: Vec<_> =
            self.registry.signer.iter().filter(|s| used.contains(&s.key_id.as_str())).cloned().collect();
        let revocations: Vec<_> =
            self.registry.revocation.iter().filter(|r| used.contains(&r.key_id.as_str())).cloned().collect();
        let exercised: Vec<&str> = report
            .signatures
            .iter()
            .filter_map(|s| s.record.on_behalf_of.as_ref())
            .map(|o| o.delegation_sha256.as_str())
            .collect();
        let delegations: Vec<_> = self
            .registry
            .delegation
            .iter()
            .filter(|d| exercised.contains(&super::trust::entry_sha256(d).as_str()))
            .cloned()
            .collect();
        let entries: Vec<String> = signers
            .iter()
            .map(super::trust::entry_sha256)
            .chain(revocations.iter().map(super::trust::entry_sha256))
            .chain(delegations.iter().map(super::trust::entry_sha256))
            .collect();
        Manifest {
            schema: MANIFEST_VERSION.id(),
            release: report.release.clone(),
            request_sha256: sha(self.request_text.as_bytes()),
            request: self.request_text.clone(),
            envelopes: self
                .envelopes
                .iter()
                .map(|(f, t)| ManifestEnvelope { file: f.clone(), sha256: sha(t.as_bytes()), envelope: t.clone() })
                .collect(),
            approvals: self.registry.approval.iter().filter(|a| entries.contains(&a.entry_sha256)).cloned().collect(),
            signers,
            revocations,
            delegations,
            policy: self.policy.clone(),
            audit: self.trail.chain.clone().unwrap_or_default(),
            events: self
                .trail
                .events
                .iter()
                .filter(|(_, text)| !assembles_a_manifest(text))
                .map(|(file, text)| RecordFile { file: file.clone(), text: text.clone() })
                .collect(),
            withdrawals: self
                .withdrawals
                .iter()
                .map(|(file, text)| RecordFile { file: file.clone(), text: text.clone() })
                .collect(),
            timestamps: self
                .timestamps
                .iter()
                .map(|(file, der)| TokenFile { file: file.clone(), token_base64: base64ct::Base64::encode_string(der) })
                .collect(),
            bundle_sha256: report.bundle_sha256.clone(),
            generated_by: crate::formats::crate_version(),
            trusted_root_sha256: self.trusted_root.as_ref().map(|t| sha(t.as_bytes())),
            trusted_root: self.trusted_root.clone(),
            trust: match &self.anchoring {
                Anchoring::Anchored { chain, .. } => Some(chain.clone()),
                Anchoring::NotAnchored { .. } => None,
            },
        }
    }
}

/// The manifest's timestamp tokens: each named for one of its key-file signatures, once, and no
/// larger than a token can be.
fn manifest_tokens(path: &Path, m: &Manifest) -> Result<Vec<(String, Vec<u8>)>, SignError> {
    let mut tokens: Vec<(String, Vec<u8>)> = Vec::new();
    for t in &m.timestamps {
        let bad = |why: String| SignError::input(path, format!("timestamp {:?}: {why}", t.file));
        let owned = layout::envelope_of_token(&t.file).is_some_and(|e| m.envelopes.iter().any(|env| env.file == e));
        if !owned {
            return Err(bad("names no key-file signature of this manifest".into()));
        }
        if tokens.iter().any(|(f, _)| *f == t.file) {
            return Err(bad("appears twice".into()));
        }
        if t.token_base64.len() as u64 > super::tsa::MAX_TOKEN_BYTES * 4 / 3 + 4 {
            return Err(bad(format!(
                "larger than a timestamp token can be ({} KiB)",
                super::tsa::MAX_TOKEN_BYTES >> 10
            )));
        }
        let der = base64ct::Base64::decode_vec(&t.token_base64).map_err(|e| bad(format!("not base64 ({e})")))?;
        tokens.push((t.file.clone(), der));
    }
    tokens.sort();
    Ok(tokens)
}

/// Every release folder under `signatures/` with a request, by id, sorted: what reports across
/// releases (`signet diff`, `signet compliance`) walk.
pub fn release_folders(root: &Path) -> Result<Vec<(String, PathBuf)>, SignError> {
    let folder = root.join(layout::DIR);
    let Ok(entries) = std::fs::read_dir(&folder) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| SignError::input(&folder, e))?;
        let id = entry.file_name().to_string_lossy().into_owned();
        if entry.path().join(layout::REQUEST).is_file() && layout::release_dir(root, &id).is_ok() {
            out.push((id, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// Most withdrawals one release may hold: one per signature, and a release has a few.
const MAX_WITHDRAWALS: usize = 200;

/// A `manifest-assembled` event postdates the manifest it names, so no manifest holds one.
fn assembles_a_manifest(text: &str) -> bool {
    serde_json::from_str::<super::audit::Event>(text)
        .is_ok_and(|e| e.event == super::audit::EventKind::ManifestAssembled)
}

/// Where the final gate takes its anchor from (`verify --trust`, `--trust-sha256`, `--registry`).
#[derive(Debug, Clone, Default)]
pub struct TrustOptions {
    /// The organisation's trust file; a release folder defaults to `signatures/trust.json`.
    pub file: Option<PathBuf>,
    /// The digest the trust file must have (the Action's `trust-sha256` input).
    pub sha256: Option<String>,
    /// A current signer registry whose revocations apply too: compromises learned after archiving.
    pub registry: Option<PathBuf>,
}

impl ReleaseRecord {
    /// Sets what anchors the record: the trust file (given, or the repository's for a release
    /// folder), continued by the manifest's embedded chain or the repository's newer one; then
    /// applies the revocations of a current registry.
    pub fn anchor(&mut self, root: &Path, embedded: Option<&Trust>, opts: &TrustOptions) -> Result<(), SignError> {
        let repo = root.join(layout::TRUST);
        let folder = matches!(self.origin, Origin::Folder { .. });
        let repo_trust = folder && repo.is_file();
        let file = opts.file.clone().or_else(|| repo_trust.then(|| repo.clone()));
        self.anchoring = match file {
            None if opts.sha256.is_some() => {
                return Err(SignError::input(&repo, "trust-sha256 is pinned, but there is no trust file"));
            }
            None => Anchoring::not_anchored(NO_TRUST),
            Some(f) => {
                let anchor = TrustFile::load_pinned(&f, opts.sha256.as_deref())?;
                let newer = match embedded {
                    Some(t) => Some(t.clone()),
                    None if repo_trust && opts.file.is_some() => Some(TrustFile::load(&repo)?.trust),
                    None => None,
                };
                Anchoring::resolve(&anchor, newer.as_ref())
            }
        };
        if let Some(path) = &opts.registry {
            if !path.is_file() {
                return Err(SignError::input(path, "no such registry file; pass the current signatures/signers.toml"));
            }
            let current = Registry::load_file(path)?.0;
            for r in current.revocation {
                if self.registry.by_key(&r.key_id).is_some() && !self.registry.revocation.contains(&r) {
                    self.registry.revocation.push(r);
                }
            }
        }
        Ok(())
    }
}

/// Why a record read without a trust file is not anchored, and what to do.
pub const NO_TRUST: &str = "nothing anchors the signers: no trust file was given. Pass --trust FILE, the organisation's \
     trust file (signatures/trust.json, with its SHA-256 recorded in the QMS / DHF); `signet trust init` creates one";

/// The SHA-256 of a file, and its size. (A request names its bundle by bare hex, `Digest::hex`;
/// everything else by `Digest::tagged`.)
pub fn file_digest(path: &Path) -> Result<(crate::digest::Digest, u64), SignError> {
    let (f, _) = crate::fsx::read::open_file(path).map_err(|e| SignError::input(path, e))?;
    crate::digest::sha256_reader(f).map_err(|e| SignError::input(path, e))
}

/// The request and the digest of its exact bytes.
pub fn load(dir: &Path) -> Result<(Request, String), SignError> {
    let path = dir.join(layout::REQUEST);
    let bytes = crate::fsx::read::read_bytes(&path, crate::fsx::read::MAX_RECORD_BYTES).map_err(|e| {
        SignError::input(&path, format!("{e}; create it first with `signet request --release … --bundle …`"))
    })?;
    let request = crate::formats::request::read(&bytes).map_err(|e| SignError::input(&path, e))?;
    Ok((request, crate::digest::tagged(&bytes)))
}
