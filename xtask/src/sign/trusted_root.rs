//! The pinned Sigstore trusted root (`signatures/trusted_root.json`): read, digested for the
//! request, and checked against the digest the request (and a manifest) recorded.

use std::path::Path;

use super::SignError;
use super::layout::TRUSTED_ROOT;
use crate::digest::tagged as sha;
use crate::formats::request::Request;
use crate::keyless;

/// `sha256:` of the pinned trusted root, or `None` when the repository has none. A root that is
/// there but unusable is bad input: better refused when the request is made than at the gate.
pub fn pinned_root_digest(root: &Path) -> Result<Option<String>, SignError> {
    let path = root.join(TRUSTED_ROOT);
    match crate::fsx::read::read_bytes(&path, crate::fsx::read::MAX_RECORD_BYTES) {
        Ok(bytes) => {
            keyless::check_trusted_root(&bytes).map_err(|e| SignError::input(&path, e))?;
            Ok(Some(sha(&bytes)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SignError::input(&path, e)),
    }
}

/// The pinned trusted root's exact text, which keyless signatures need.
pub fn read_pinned_root(root: &Path) -> Result<String, SignError> {
    let path = root.join(TRUSTED_ROOT);
    crate::fsx::read::read_text(&path, crate::fsx::read::MAX_RECORD_BYTES).map_err(|e| {
        SignError::input(
            &path,
            format!(
                "{e}; keyless signatures (*.sigstore.json) are verified only against this pinned Sigstore trusted root"
            ),
        )
    })
}

pub(crate) fn root_problems(root: &str, recorded: Option<&str>, request: &Request) -> Vec<String> {
    let actual = sha(root.as_bytes());
    let mut problems = Vec::new();
    if let Some(recorded) = recorded
        && recorded != actual
    {
        problems.push(format!(
            "the trusted root in the manifest has digest {actual}, but the manifest records {recorded}: \
             the trusted root was swapped after the manifest was written"
        ));
    }
    match &request.trusted_root_sha256 {
        None => problems.push(format!(
            "the request pins no Sigstore trusted root ({TRUSTED_ROOT} was absent when it was made), so keyless \
             signatures cannot be bound to the root their signers relied on; make a new request with the trusted \
             root in place"
        )),
        Some(pinned) if *pinned != actual => problems.push(format!(
            "the trusted root ({actual}) is not the one the request pinned ({pinned}): the trusted root was swapped \
             after the request; keyless signatures are verified only against the pinned root"
        )),
        Some(_) => {}
    }
    problems
}
