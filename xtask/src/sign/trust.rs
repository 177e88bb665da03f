//! The organisation's trust anchor (`signet.trust/v1`, `formats::trust`): reading a trust file,
//! checking its chain of versions, and the administrators' signatures it rests on — over a trust
//! root version, and over each registry entry they approve.

use std::path::{Path, PathBuf};

use p256::ecdsa::SigningKey;
use serde::Serialize;

use super::{SignError, Timestamp, dsse, keys};
use crate::digest::tagged as sha;
use crate::formats::ids::{KeyId, SignerId, fold};
pub use crate::formats::registry::{APPROVAL_MEANING, APPROVAL_PAYLOAD_TYPE, Approval};
pub use crate::formats::trust::{
    Admin, ROOT_PAYLOAD_TYPE, RootSignature, SignedRoot, Trust, TrustRoot, VERSION, VouchedEntry,
};
use crate::fsx::read::{MAX_RECORD_BYTES, read_bytes};
use crate::output::json::to_canonical_bytes;

/// A trust file read from disk, its chain checked.
#[derive(Debug, Clone)]
pub struct TrustFile {
    pub path: PathBuf,
    pub trust: Trust,
    /// `sha256:` of the file's exact bytes: what the QMS records and `--trust-sha256` pins.
    pub sha256: String,
}

impl TrustFile {
    /// Reads a trust file that must have the digest `pinned` (hex or `sha256:hex`), when given:
    /// the Action's `trust-sha256`, so that a pull request cannot swap the anchor.
    pub fn load_pinned(path: &Path, pinned: Option<&str>) -> Result<TrustFile, SignError> {
        let file = TrustFile::load(path)?;
        if let Some(pin) = pinned {
            let tagged = if pin.starts_with("sha256:") { pin.to_owned() } else { format!("sha256:{pin}") };
            if tagged != file.sha256 {
                return Err(SignError::input(
                    path,
                    format!(
                        "has {}, but trust-sha256 pins {tagged}: this is not the organisation's anchor (changed in \
                         this pull request?); restore the trust file recorded in the QMS",
                        file.sha256
                    ),
                ));
            }
        }
        Ok(file)
    }

    pub fn load(path: &Path) -> Result<TrustFile, SignError> {
        let bytes = read_bytes(path, MAX_RECORD_BYTES).map_err(|e| {
            SignError::input(
                path,
                format!("{e}; get the organisation's trust file from your QMS / DHF (signet trust init creates one)"),
            )
        })?;
        let trust: Trust = VERSION.read(&bytes).map_err(|e| SignError::input(path, e))?;
        check_chain(&trust).map_err(|e| SignError::input(path, e))?;
        Ok(TrustFile { path: path.to_path_buf(), trust, sha256: sha(&bytes) })
    }
}

impl Trust {
    /// A version-1 trust file: anchored by its digest, which is kept outside the repository.
    pub fn genesis(root: TrustRoot) -> Result<Trust, String> {
        let t = Trust { schema: VERSION.id(), versions: vec![SignedRoot { root, signatures: Vec::new() }] };
        check_chain(&t)?;
        Ok(t)
    }

    pub fn latest(&self) -> &TrustRoot {
        &self.versions.last().expect("a checked chain has a version").root
    }

    /// The version in force at `at`: the latest issued by then (the first, for earlier times).
    pub fn in_force(&self, at: &Timestamp) -> &TrustRoot {
        let issued = |v: &&SignedRoot| Timestamp::parse(&v.root.issued_at).is_some_and(|t| &t <= at);
        self.versions.iter().rev().find(issued).unwrap_or(&self.versions[0]).root_ref()
    }

    /// Whether any version vouches for this exact registry entry directly.
    pub fn vouches_for(&self, entry: &crate::formats::registry::Signer) -> bool {
        let digest = entry_sha256(entry);
        self.versions.iter().any(|v| {
            v.root
                .vouched_entries
                .iter()
                .any(|k| k.signer == entry.id && k.key_id == entry.key_id && k.entry_sha256 == digest)
        })
    }

    /// Whether any version accepts this Sigstore trusted root (`sha256:` of its bytes).
    pub fn accepts_sigstore_root(&self, digest: &str) -> bool {
        self.versions.iter().any(|v| v.root.sigstore_roots.iter().any(|d| d == digest))
    }

    /// `newer` continues this chain: it starts with exactly these versions.
    pub fn is_extended_by(&self, newer: &Trust) -> bool {
        newer.versions.len() >= self.versions.len() && newer.versions[..self.versions.len()] == self.versions[..]
    }
}

impl SignedRoot {
    fn root_ref(&self) -> &TrustRoot {
        &self.root
    }
}

/// Every version is well formed, numbered without gaps, and each later one is signed by a
/// threshold of the previous version's administrators and of its own.
pub fn check_chain(t: &Trust) -> Result<(), String> {
    // A trust file's reader checks this too; a chain embedded in a manifest comes only here.
    if t.schema != VERSION.id() {
        return Err(format!("is `{}`, not `{}`", crate::output::printable(&t.schema), VERSION.id()));
    }
    if t.versions.is_empty() {
        return Err("holds no trust root version; create one with `signet trust init`".into());
    }
    for (i, v) in t.versions.iter().enumerate() {
        let n = v.root.version;
        if n as usize != i + 1 {
            return Err(format!(
                "version {n} is at position {}: the chain has a gap or is out of order; get the complete trust file \
                 (every version since 1) from your QMS",
                i + 1
            ));
        }
        check_root(&v.root).map_err(|e| format!("version {n}: {e}"))?;
        let Some(prev) = i.checked_sub(1).map(|p| &t.versions[p].root) else { continue };
        if Timestamp::parse(&v.root.issued_at) < Timestamp::parse(&prev.issued_at) {
            return Err(format!("version {n} is issued before version {}", prev.version));
        }
        for (who, admins, threshold) in
            [("previous", &prev.admins, prev.threshold), ("its own", &v.root.admins, v.root.threshold)]
        {
            let got = valid_root_signatures(admins, v);
            if got < threshold as usize {
                return Err(format!(
                    "version {n} is signed by {got} of {who} administrators, and needs {threshold}: a change of \
                     administrators must be signed by the current ones (signet trust sign)"
                ));
            }
        }
    }
    Ok(())
}

fn check_root(r: &TrustRoot) -> Result<(), String> {
    if r.admins.is_empty() {
        return Err("names no administrator".into());
    }
    if r.threshold == 0 || r.threshold as usize > r.admins.len() {
        return Err(format!("threshold {} is not between 1 and the {} administrator(s)", r.threshold, r.admins.len()));
    }
    if Timestamp::parse(&r.issued_at).is_none() {
        return Err(format!("issued_at `{}` is not an RFC 3339 UTC time", r.issued_at));
    }
    let mut seen: Vec<(String, &KeyId)> = Vec::new();
    for a in &r.admins {
        let key = keys::parse_public_pem(&a.public_key).map_err(|e| format!("administrator `{}`: {e}", a.id))?;
        if a.key_id != keys::key_id(&key) {
            return Err(format!("administrator `{}`: key_id is not the SHA-256 of their public key", a.id));
        }
        if seen.iter().any(|(id, k)| *id == fold(&a.id) || *k == &a.key_id) {
            return Err(format!("administrator `{}` is listed twice (same id or key)", a.id));
        }
        seen.push((fold(&a.id), &a.key_id));
    }
    for d in &r.sigstore_roots {
        if crate::digest::Digest::parse_tagged(d).is_none() {
            return Err(format!("sigstore_roots entry `{d}` is not sha256:<64 hex>"));
        }
    }
    Ok(())
}

fn valid_root_signatures(admins: &[Admin], v: &SignedRoot) -> usize {
    let payload = to_canonical_bytes(&v.root);
    admins
        .iter()
        .filter(|a| {
            v.signatures.iter().any(|s| s.key_id == a.key_id && verifies(a, ROOT_PAYLOAD_TYPE, &payload, &s.sig))
        })
        .count()
}

/// An administrator's signature over the next trust root version.
pub fn sign_root(root: &TrustRoot, key: &SigningKey) -> RootSignature {
    let key_id = keys::key_id(key.verifying_key());
    let env = dsse::sign(ROOT_PAYLOAD_TYPE, &to_canonical_bytes(root), key, &key_id);
    RootSignature { key_id: key_id.into(), sig: env.signatures[0].sig.clone() }
}

/// `sha256:` of a registry entry's canonical JSON: what an approval names.
pub fn entry_sha256<T: Serialize>(entry: &T) -> String {
    sha(&to_canonical_bytes(entry))
}

/// What an administrator signs to approve: the approval without its signature.
fn approval_payload(a: &Approval) -> Vec<u8> {
    let mut v = serde_json::to_value(a).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("sig");
    }
    to_canonical_bytes(&v)
}

/// The administrator's approval of one registry entry, stating [`APPROVAL_MEANING`].
pub fn approve(entry_sha256: String, admin: &Admin, key: &SigningKey, now: Timestamp) -> Approval {
    let mut a = Approval {
        entry_sha256,
        admin: admin.id.clone(),
        admin_key_id: admin.key_id.clone(),
        meaning: APPROVAL_MEANING.into(),
        signed_at: now.to_string(),
        sig: String::new(),
    };
    let env = dsse::sign(APPROVAL_PAYLOAD_TYPE, &approval_payload(&a), key, &admin.key_id);
    a.sig = env.signatures[0].sig.clone();
    a
}

/// Whether `a` is `admin`'s valid signature, with the stated meaning.
pub fn approval_valid(a: &Approval, admin: &Admin) -> bool {
    a.admin_key_id == admin.key_id
        && a.admin == admin.id
        && a.meaning == APPROVAL_MEANING
        && verifies(admin, APPROVAL_PAYLOAD_TYPE, &approval_payload(a), &a.sig)
}

fn verifies(admin: &Admin, payload_type: &str, payload: &[u8], sig: &str) -> bool {
    keys::parse_public_pem(&admin.public_key).is_ok_and(|key| dsse::verify_detached(payload_type, payload, sig, &key))
}

/// What anchors a release record's signers: the organisation's trust chain, or why nothing does.
#[derive(Debug, Clone)]
pub enum Anchoring {
    /// The chain in force: the trust file given, or a longer chain (embedded in a manifest, or the
    /// repository's) that extends it through signed rotations.
    Anchored { chain: Trust, anchor_sha256: String },
    /// Never PASS: the reason, and what to do.
    NotAnchored { why: String },
}

impl Anchoring {
    pub fn not_anchored(why: impl Into<String>) -> Anchoring {
        Anchoring::NotAnchored { why: why.into() }
    }

    /// Anchors on `file`, continued by `newer` when that chain extends it.
    pub fn resolve(file: &TrustFile, newer: Option<&Trust>) -> Anchoring {
        if let Some(Err(e)) = newer.map(check_chain) {
            return Anchoring::not_anchored(format!(
                "the record's trust chain is not valid ({e}): versions after the organisation's trust file must be \
                 signed by its administrators"
            ));
        }
        let chain = match newer {
            Some(n) if file.trust.is_extended_by(n) => n.clone(),
            Some(_) => {
                return Anchoring::not_anchored(format!(
                    "the record's trust chain does not continue the trust file {} ({}): it belongs to another \
                     organisation, or its administrators were replaced without the current ones signing",
                    file.path.display(),
                    file.sha256
                ));
            }
            None => file.trust.clone(),
        };
        Anchoring::Anchored { chain, anchor_sha256: file.sha256.clone() }
    }
}

/// What `signet trust init` records in version 1.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    pub organisation: String,
    /// (administrator id, public key PEM file).
    pub admins: Vec<(String, PathBuf)>,
    pub threshold: u32,
    /// `sha256:` digests of accepted Sigstore trusted roots.
    pub sigstore_roots: Vec<String>,
    /// RFC 3161 timestamp authorities accepted for key-file signatures.
    pub timestamp_authorities: Vec<crate::formats::trust::TimestampAuthority>,
    /// Registry entries vouched for directly (e.g. every signer of archived v1 manifests).
    pub vouched: Vec<crate::formats::registry::Signer>,
}

/// Builds version 1 of a trust file from the administrators' public keys.
pub fn init(opts: &InitOptions, now: Timestamp) -> Result<Trust, SignError> {
    let mut admins = Vec::new();
    for (id, path) in &opts.admins {
        let id = SignerId::parse(id).map_err(|e| SignError::Refused(format!("--admin-pubkey: {e}")))?;
        let vk = keys::read_public_key(path).map_err(|e| SignError::input(path, e))?;
        admins.push(Admin { id, key_id: keys::key_id(&vk).into(), public_key: keys::public_pem(&vk) });
    }
    let vouched_entries = opts
        .vouched
        .iter()
        .map(|e| VouchedEntry { signer: e.id.clone(), key_id: e.key_id.clone(), entry_sha256: entry_sha256(e) })
        .collect();
    let root = TrustRoot {
        version: 1,
        organisation: opts.organisation.clone(),
        issued_at: now.to_string(),
        admins,
        threshold: opts.threshold,
        sigstore_roots: opts.sigstore_roots.clone(),
        timestamp_authorities: opts.timestamp_authorities.clone(),
        vouched_entries,
    };
    Trust::genesis(root).map_err(SignError::Refused)
}

impl TrustFile {
    /// A trust file whose last version may still lack signatures: a proposed rotation being
    /// signed (`signet trust sign`). Everything before it must be a valid chain.
    pub fn load_proposal(path: &Path) -> Result<TrustFile, SignError> {
        let bytes = read_bytes(path, MAX_RECORD_BYTES).map_err(|e| SignError::input(path, e))?;
        let trust: Trust = VERSION.read(&bytes).map_err(|e| SignError::input(path, e))?;
        let settled = Trust {
            schema: trust.schema.clone(),
            versions: trust.versions[..trust.versions.len().saturating_sub(1)].to_vec(),
        };
        if settled.versions.is_empty() {
            return Err(SignError::input(path, "holds no version to rotate from; create one with `signet trust init`"));
        }
        check_chain(&settled).map_err(|e| SignError::input(path, e))?;
        let last = &trust.versions[trust.versions.len() - 1].root;
        if last.version as usize != trust.versions.len() {
            return Err(SignError::input(path, format!("the proposed version is numbered {}", last.version)));
        }
        check_root(last).map_err(|e| SignError::input(path, format!("proposed version {}: {e}", last.version)))?;
        Ok(TrustFile { path: path.to_path_buf(), trust, sha256: sha(&bytes) })
    }
}

/// The next version of `current`, unsigned: new administrators (or the current ones), threshold
/// and accepted Sigstore roots; vouched entries carry over.
pub fn propose(current: &Trust, opts: &InitOptions, now: Timestamp) -> Result<Trust, SignError> {
    let next = init(opts, now)?;
    let mut root = next.latest().clone();
    let prev = current.latest();
    root.version = prev.version + 1;
    root.vouched_entries = prev.vouched_entries.clone();
    if root.organisation.is_empty() {
        root.organisation = prev.organisation.clone();
    }
    let mut t = current.clone();
    t.versions.push(SignedRoot { root, signatures: Vec::new() });
    Ok(t)
}

/// Adds `key`'s signature to the proposed (last) version, if the key is an administrator of it
/// or of the version before.
pub fn sign_proposal(t: &mut Trust, key: &SigningKey) -> Result<(), SignError> {
    let key_id = keys::key_id(key.verifying_key());
    let n = t.versions.len();
    let known = t.versions[n.saturating_sub(2)..].iter().any(|v| v.root.admins.iter().any(|a| a.key_id == key_id));
    if !known {
        return Err(SignError::Refused(format!(
            "the key {key_id} is not an administrator of the current or the proposed version"
        )));
    }
    let last = &mut t.versions[n - 1];
    last.signatures.retain(|s| s.key_id != key_id);
    last.signatures.push(sign_root(&last.root, key));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin(id: &str, key: &SigningKey) -> Admin {
        let vk = key.verifying_key();
        Admin { id: SignerId::parse(id).unwrap(), key_id: keys::key_id(vk).into(), public_key: keys::public_pem(vk) }
    }

    fn root(version: u32, admins: Vec<Admin>, at: &str) -> TrustRoot {
        TrustRoot {
            version,
            organisation: "Pump Medical".into(),
            issued_at: at.into(),
            admins,
            threshold: 1,
            sigstore_roots: Vec::new(),
            timestamp_authorities: Vec::new(),
            vouched_entries: Vec::new(),
        }
    }

    /// A rotation signed by the outgoing and the incoming administrators continues the chain, so
    /// the old trust file anchors what the new administrators approve; one signed by only one
    /// side does not.
    #[test]
    fn a_rotation_signed_by_both_sides_extends_the_chain() {
        let (a, b) = (keys::generate(), keys::generate());
        let v1 = Trust::genesis(root(1, vec![admin("ada", &a)], "2026-01-01T00:00:00Z")).unwrap();
        let r2 = root(2, vec![admin("bo", &b)], "2026-06-01T00:00:00Z");
        let mut v2 = v1.clone();
        v2.versions.push(SignedRoot { root: r2.clone(), signatures: vec![sign_root(&r2, &a), sign_root(&r2, &b)] });
        assert_eq!(check_chain(&v2), Ok(()));
        assert!(v1.is_extended_by(&v2) && !v2.is_extended_by(&v1));
        let at = Timestamp::parse("2026-07-01T00:00:00Z").unwrap();
        assert_eq!(v2.in_force(&at).admins[0].id, "bo");
        assert_eq!(v2.in_force(&Timestamp::parse("2026-02-01T00:00:00Z").unwrap()).admins[0].id, "ada");
        for only in [&a, &b] {
            let mut half = v1.clone();
            half.versions.push(SignedRoot { root: r2.clone(), signatures: vec![sign_root(&r2, only)] });
            assert!(check_chain(&half).unwrap_err().contains("needs 1"), "one side's signature is not enough");
        }
        // A signature over another root does not carry over.
        let mut moved = v2.clone();
        moved.versions[1].root.threshold = 1;
        moved.versions[1].root.organisation = "Mallory Inc".into();
        assert!(check_chain(&moved).is_err());
    }

    #[test]
    fn an_approval_verifies_only_for_its_administrator_and_entry() {
        let (a, b) = (keys::generate(), keys::generate());
        let (ada, bo) = (admin("ada", &a), admin("bo", &b));
        let ok = approve("sha256:11".into(), &ada, &a, Timestamp::parse("2026-01-01T00:00:00Z").unwrap());
        assert!(approval_valid(&ok, &ada));
        assert!(!approval_valid(&ok, &bo));
        let moved = Approval { entry_sha256: "sha256:22".into(), ..ok.clone() };
        assert!(!approval_valid(&moved, &ada), "an approval cannot be replayed onto another entry");
        let redated = Approval { signed_at: "2025-01-01T00:00:00Z".into(), ..ok };
        assert!(!approval_valid(&redated, &ada), "nor re-dated");
    }
}
