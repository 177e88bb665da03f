//! The review fingerprint: what a reviewer approved, reduced to one SHA-256 a third party can
//! recompute (README, "Review fingerprint"). Doorstop concatenates values without separators
//! (so `"ab"+"c"` equals `"a"+"bc"`); here every name and value is length-prefixed.

use sha2::{Digest as _, Sha256};

use super::sdoc::Relation;
use crate::digest::Digest;

/// Fields that record the review itself, or that StrictDoc generates: never part of it.
pub const EXCLUDED: [&str; 4] = ["REVIEWED_HASH", "REVIEWED_BY", "REVIEWED_UPSTREAM", "MID"];

/// `sha256:<hex>` over `u64be(len(name)) ‖ name ‖ u64be(len(value)) ‖ value` for every
/// normative field in file order, then one `RELATION:<Type>[:<Role>]` pair per relation with the
/// target as value. Line breaks inside values count as LF whatever the file uses.
pub fn fingerprint<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>, relations: &[Relation]) -> Digest {
    let mut h = Sha256::new();
    for (name, value) in fields.into_iter().filter(|(n, _)| !EXCLUDED.contains(n)) {
        pair(&mut h, name, &value.replace("\r\n", "\n"));
    }
    for r in relations {
        let name = match &r.role {
            Some(role) => format!("RELATION:{}:{role}", r.kind.as_str()),
            None => format!("RELATION:{}", r.kind.as_str()),
        };
        pair(&mut h, &name, &r.value);
    }
    Digest::from_hasher(h)
}

fn pair(h: &mut Sha256, name: &str, value: &str) {
    h.update((name.len() as u64).to_be_bytes());
    h.update(name.as_bytes());
    h.update((value.len() as u64).to_be_bytes());
    h.update(value.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtm::sdoc::RelationKind;

    /// The README's test vectors: change them only together with the README.
    #[test]
    fn readme_test_vectors() {
        assert_eq!(
            fingerprint([("UID", "SYS-1"), ("TITLE", "Occlusion alarm")], &[]).tagged(),
            "sha256:2d9388afe7d7c979ff3e04b61dcc1871d1f2b95db0a4f28f78ab371de658b36b"
        );
        let rel = Relation { kind: RelationKind::Parent, value: "SYS-1".into(), role: None, line: 9 };
        assert_eq!(
            fingerprint(
                [
                    ("UID", "SW-1"),
                    ("MID", "abc"),
                    ("STATEMENT", "Raise within 2 s.\r\nAlways."),
                    ("REVIEWED_HASH", "x")
                ],
                &[rel]
            )
            .tagged(),
            "sha256:606dc5408c12096c48c801495ceb0819ab3fdcbeea62db7f64fa7ff519609574"
        );
    }

    #[test]
    fn separators_matter() {
        assert_ne!(fingerprint([("A", "bc")], &[]), fingerprint([("A", "b"), ("C", "")], &[]));
        assert_ne!(fingerprint([("AB", "c")], &[]), fingerprint([("A", "Bc")], &[]));
    }

    #[test]
    fn review_fields_and_mid_do_not_count() {
        assert_eq!(
            fingerprint(
                [("UID", "X"), ("REVIEWED_BY", "alice"), ("MID", "1"), ("REVIEWED_UPSTREAM", "Y sha256:0")],
                &[]
            ),
            fingerprint([("UID", "X")], &[])
        );
    }
}
