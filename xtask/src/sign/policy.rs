//! The signing policy in `signet.toml`: which roles must sign a release, with which meaning,
//! in which order. Checked when loaded, so a broken policy is an error before anyone signs.

use std::collections::{BTreeMap, BTreeSet};

use super::SignError;
use super::meaning;
use crate::formats::ids::Role;
pub use crate::formats::policy::{CustomMeaning, Required, SigningConfig};
use crate::output::json;

impl SigningConfig {
    /// Roles unique, meanings defined, `after` naming required roles, no ordering cycle.
    pub fn validate(&self) -> Result<(), SignError> {
        let bad = |message: String| Err(SignError::Policy(message));
        if self.required.is_empty() {
            return bad("no [[signing.required]] roles: a release needs at least one required signature".into());
        }
        let mut roles = BTreeSet::new();
        for r in &self.required {
            if !roles.insert(r.role.as_str()) {
                return bad(format!("role `{}` is required twice", r.role));
            }
            if meaning::definition(&r.meaning, &self.meanings).is_none() {
                return bad(format!(
                    "role `{}` has meaning `{}`, which is neither built in ({}) nor declared under \
                     [[signing.meanings]]",
                    r.role,
                    r.meaning,
                    meaning::builtin_codes()
                ));
            }
        }
        if let Some(url) = &self.tsa
            && let Err(why) = super::tsa::check_url(url)
        {
            return bad(format!("tsa: {why}"));
        }
        for r in &self.required {
            if let Some(missing) = r.after.iter().find(|a| !roles.contains(a.as_str())) {
                return bad(format!("role `{}` must sign after `{missing}`, which is not a required role", r.role));
            }
        }
        self.check_order_acyclic()
    }

    fn check_order_acyclic(&self) -> Result<(), SignError> {
        let after: BTreeMap<&str, &[Role]> =
            self.required.iter().map(|r| (r.role.as_str(), r.after.as_slice())).collect();
        for start in after.keys() {
            let mut stack = vec![*start];
            let mut seen = BTreeSet::new();
            while let Some(role) = stack.pop() {
                for next in after.get(role).copied().unwrap_or_default() {
                    if next == start {
                        return Err(SignError::Policy(format!("signing order has a cycle through `{start}`")));
                    }
                    if seen.insert(next.as_str()) {
                        stack.push(next);
                    }
                }
            }
        }
        Ok(())
    }

    pub fn required(&self, role: &str) -> Option<&Required> {
        self.required.iter().find(|r| r.role == role)
    }

    pub fn meaning_text(&self, code: &str) -> &str {
        meaning::definition(code, &self.meanings).unwrap_or("")
    }

    /// Digest of the policy as Signet reads it (not the TOML bytes, so comments may change).
    pub fn digest(&self) -> String {
        crate::digest::tagged(&json::to_canonical_bytes(self))
    }
}
