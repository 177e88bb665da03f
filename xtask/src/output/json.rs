//! The one JSON writer: the same value always gives the same bytes, so outputs can be diffed,
//! snapshotted, hashed and signed. Signet's own types serialise their fields in declaration
//! order and use only sorted maps (BTreeMap), so `to_string` writes them directly; bytes that
//! are signed go through `to_canonical_bytes`, which also sorts every object's keys.

use serde::Serialize;

/// Pretty, trailing newline: for files people read and for `--format json`.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("Signet's own types always serialise");
    s.push('\n');
    s
}

/// As `to_string`, streamed: a 20 MiB index.json never exists twice in memory.
pub fn to_writer<T: Serialize + ?Sized>(mut w: impl std::io::Write, value: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut w, value)?;
    w.write_all(b"\n")
}

/// Compact, sorted keys, no trailing newline: for bytes that are hashed or signed.
pub fn to_canonical_bytes<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut value = serde_json::to_value(value).expect("Signet's own types always serialise");
    // A no-op with serde_json's default BTreeMap, but keeps keys sorted even if some crate in the
    // build turns on `preserve_order` (Cargo features unify across the dependency graph).
    value.sort_all_objects();
    serde_json::to_vec(&value).expect("a JSON value always serialises")
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_sorted_whatever_the_struct_order() {
        #[derive(serde::Serialize)]
        struct S {
            zeta: u8,
            alpha: u8,
        }
        assert_eq!(super::to_canonical_bytes(&S { zeta: 1, alpha: 2 }), br#"{"alpha":2,"zeta":1}"#);
    }
}
