//! A `.sgra` grammar file (what `IMPORT_FROM_FILE` names) → its elements.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use signet::rtm::sdoc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = sdoc::parse_sgra(Path::new("/fuzz/grammar.sgra"), text) {
        let _ = e.to_string();
    }
});
