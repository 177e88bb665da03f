//! `.sdoc` text → parser and grammar checks → requirement graph → review states. Every
//! error must render (the renderer slices the offending line at a column).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use signet::rtm::{model::Graph, review, sdoc};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let root = Path::new("/fuzz");
    match sdoc::parse_str(&root.join("doc.sdoc"), text) {
        Ok(doc) => {
            if let Ok(graph) = Graph::build(std::slice::from_ref(&doc), root) {
                let reviews = review::assess(&graph);
                assert_eq!(reviews.len(), graph.reqs.len());
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
