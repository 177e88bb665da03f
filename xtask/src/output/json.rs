//! The one JSON writer. Object keys are sorted (serde_json's map is a BTreeMap), so the same
//! value always gives the same bytes: outputs can be diffed, snapshotted, hashed and signed.

use serde::Serialize;

/// Pretty, sorted keys, trailing newline: for files people read and for `--format json`.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    let value = serde_json::to_value(value).expect("Signet's own types always serialise");
    let mut s = serde_json::to_string_pretty(&value).expect("a JSON value always serialises");
    s.push('\n');
    s
}

/// Compact, sorted keys, no trailing newline: for bytes that are hashed or signed.
pub fn to_canonical_bytes<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let value = serde_json::to_value(value).expect("Signet's own types always serialise");
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
