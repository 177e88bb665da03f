//! JUnit XML bytes (any encoding, any size the fuzzer makes) → test cases, or a located error.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use signet::rtm::junit;

fuzz_target!(|data: &[u8]| {
    match junit::read_bytes(Path::new("/fuzz/report.xml"), data) {
        Ok(cases) => {
            for case in &cases {
                for reference in &case.requirements {
                    let _ = case.matches(reference);
                }
            }
        }
        Err(e) => {
            assert!(e.line >= 1 || e.col == 0, "a column without a line: {e}");
            let _ = e.to_string();
        }
    }
});
