//! Property: for any tree `bundle` accepts, its bytes are exactly what the GNU tar oracle of
//! docs/ARCHITECTURE.md §5 writes. Names mix ASCII, Latin, CJK and emoji, lengths straddle the ustar
//! 100/155-byte fields, sizes straddle 512-byte blocks, modes vary.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use proptest::prelude::*;

use crate::support::{assert_matches_oracle, proptest_config};

#[derive(Debug, Clone)]
struct Entry {
    components: Vec<String>,
    size: usize,
    fill: u8,
    mode: u32,
}

/// One path component. The alphabet has no letter in two cases (only `Q`, never `q`), so no
/// two generated names collide under case folding, which `bundle` rightly refuses.
fn component() -> impl Strategy<Value = String> {
    let short = "[abcxyz019Q ._é日🚀-]{1,12}";
    // Long single names push whole paths past the ustar name (100) and prefix (155) fields;
    // at most 255 bytes, the Linux limit for one name.
    let long = (prop::sample::select(vec!['a', 'é', '日']), 90usize..=240)
        .prop_map(|(c, bytes)| c.to_string().repeat(bytes / c.len_utf8()));
    prop_oneof![6 => short, 1 => long].prop_filter("`.` and `..` are not names", |s| s != "." && s != "..")
}

fn size() -> impl Strategy<Value = usize> {
    let edges = prop::sample::select(vec![0, 1, 100, 511, 512, 513, 1023, 1024, 1025, 10_240]);
    prop_oneof![edges, 0usize..3000]
}

fn entry() -> impl Strategy<Value = Entry> {
    let modes = prop::sample::select(vec![0o644, 0o600, 0o755, 0o700, 0o640, 0o4755]);
    (prop::collection::vec(component(), 1..=4), size(), any::<u8>(), modes)
        .prop_map(|(components, size, fill, mode)| Entry { components, size, fill, mode })
}

/// Keeps the entries that can coexist on disk: a file is never also a folder on another path.
fn coexisting(entries: Vec<Entry>) -> Vec<Entry> {
    let (mut files, mut dirs) = (BTreeSet::new(), BTreeSet::new());
    let mut kept = Vec::new();
    for e in entries {
        let path = e.components.join("/");
        let prefixes: Vec<String> = (1..e.components.len()).map(|n| e.components[..n].join("/")).collect();
        if files.contains(&path) || dirs.contains(&path) || prefixes.iter().any(|p| files.contains(p)) {
            continue;
        }
        files.insert(path);
        dirs.extend(prefixes);
        kept.push(e);
    }
    kept
}

fn lay_out(root: &Path, entries: &[Entry]) {
    for e in entries {
        let path = root.join(e.components.join("/"));
        fs::create_dir_all(path.parent().expect("under the root")).expect("mkdir");
        let bytes: Vec<u8> = (0..e.size).map(|i| e.fill.wrapping_add((i % 251) as u8)).collect();
        fs::write(&path, bytes).expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(e.mode)).expect("chmod");
    }
}

proptest! {
    #![proptest_config(proptest_config(32))]

    #[test]
    fn prop_any_accepted_tree_bundles_exactly_like_gnu_tar(entries in prop::collection::vec(entry(), 1..=12)) {
        let dir = tempfile::tempdir().expect("temp dir");
        let evidence = dir.path().join("ev");
        lay_out(&evidence, &coexisting(entries));
        assert_matches_oracle(&evidence);
    }
}
