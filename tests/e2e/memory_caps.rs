//! Memory bounds that do not depend on the machine (issue #19): each run is under `ulimit -v`, so
//! a stage whose memory grows faster than its input aborts (exit 134) here, on any machine,
//! instead of passing wherever memory is plentiful. The cap is the address space, which also
//! counts thread stacks and allocator reservations: 128 MiB is enough for every run below and
//! 96 MiB is not, so 256 MiB leaves room for the binary to grow without hiding a super-linear
//! stage (the 2,000-deep chain once took over 6 GB).

use std::fs;

use crate::rtm::chain_sdoc;
use crate::support::Test;

const CAP_MIB: u64 = 256;

#[test]
fn a_2000_deep_chain_is_gated_within_the_cap() {
    Test::new()
        .file("regulatory-docs/chain.sdoc", chain_sdoc(2000))
        .args(["rtm-gate", "--fail-on-suspect"])
        .address_space_mib(CAP_MIB)
        .status(1)
        .stdout_contains("2000 requirements")
        .run();
}

#[test]
fn bundle_sums_and_check_of_20000_files_run_within_the_cap() {
    let dir = Test::new()
        .with(|d| {
            fs::create_dir_all(d.join("ev/runs")).unwrap();
            for i in 0..20_000 {
                fs::write(d.join(format!("ev/runs/case-{i:05}.xml")), "x".repeat(i % 3000)).unwrap();
            }
        })
        .args(["bundle", "--evidence", "ev", "--out", "b.tar", "--sums", "SHA256SUMS"])
        .address_space_mib(CAP_MIB)
        .run()
        .dir;
    Test::in_dir(dir)
        .args(["--root", "ev", "sums", "--check", "SHA256SUMS"])
        .address_space_mib(CAP_MIB)
        .stdout_contains("20000 files OK")
        .run();
}
