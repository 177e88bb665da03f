//! `signet.toml` → configuration, then the signing policy's own checks (roles, meanings,
//! order without cycles).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet::config;
use signet_fuzz::{put, scratch};

fuzz_target!(|data: &[u8]| {
    put(config::FILE_NAME, data);
    match config::load(scratch()) {
        Ok(cfg) => {
            if let Err(e) = cfg.signing.validate() {
                let _ = e.to_string();
            }
            let _ = cfg.signing.digest();
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
