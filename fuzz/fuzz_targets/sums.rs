//! SHA256SUMS text → checksum lines. What parses must survive a round trip through the
//! writer: `render` is what `signet sums` writes and `sha256sum -c` reads back.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use signet::sums;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let source = Path::new("/fuzz/SHA256SUMS");
    match sums::parse(text, source) {
        Ok(lines) => {
            let again = sums::parse(&sums::render(&lines), source);
            assert_eq!(again.ok().as_ref(), Some(&lines), "render then parse changes the lines");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
