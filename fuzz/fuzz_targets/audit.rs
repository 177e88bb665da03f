//! `audit.jsonl` → the hash-chained events, or every break in the chain; and the same bytes as
//! one event file → the event, or why not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet::sign::audit;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match audit::verify_chain(text, "v1.4.0") {
        Ok(events) => assert!(!events.is_empty(), "an empty trail is a problem, not a pass"),
        Err(problems) => assert!(!problems.is_empty()),
    }
    if let Ok(event) = audit::check_event("x.json", text, "v1.4.0", "sha256:00") {
        panic!("a file named x.json matched its content: {event:?}");
    }
});
