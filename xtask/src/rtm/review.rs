//! Review state of every requirement (the seeds' vocabulary): `reviewed`, `unreviewed`,
//! `suspect-native` (own content changed since the stamp) and `suspect-inherited` (some
//! ancestor, at any depth, changed since this requirement was reviewed, or is itself unreviewed
//! or suspect-native). Each stamp records the fingerprint of every ancestor it was reviewed
//! against (`REVIEWED_UPSTREAM`), so re-reviewing a parent does not clear its children.

use std::collections::BTreeMap;

use super::fingerprint::fingerprint;
use super::model::Graph;
pub use crate::formats::index::ReviewState;

#[derive(Debug, Clone)]
pub struct Review {
    pub state: ReviewState,
    pub fingerprint: String,
    pub reviewed_hash: Option<String>,
    pub reviewed_by: Option<String>,
    /// One line per cause: `REQ-7 ← REQ-3 ← SYS-1 changed since REQ-7 was reviewed`.
    pub causes: Vec<String>,
}

/// `REVIEWED_UPSTREAM` as `stamp` writes it: `UID sha256:<hex>` per ancestor, sorted by UID.
pub fn upstream_record(graph: &Graph, fingerprints: &[String], i: usize) -> String {
    let record: BTreeMap<&str, &str> =
        graph.ancestors(i).iter().map(|(a, _)| (graph.reqs[*a].uid.as_str(), fingerprints[*a].as_str())).collect();
    record.iter().map(|(uid, fp)| format!("{uid} {fp}")).collect::<Vec<_>>().join("\n")
}

pub fn fingerprints(graph: &Graph) -> Vec<String> {
    graph
        .reqs
        .iter()
        .map(|r| fingerprint(r.fields.iter().map(|(n, v)| (n.as_str(), v.as_str())), &r.relations))
        .collect()
}

pub fn assess(graph: &Graph) -> Vec<Review> {
    let fps = fingerprints(graph);
    let own: Vec<ReviewState> = graph
        .reqs
        .iter()
        .zip(&fps)
        .map(|(r, fp)| match r.field("REVIEWED_HASH").map(str::trim) {
            None | Some("") => ReviewState::Unreviewed,
            Some(h) if h != fp => ReviewState::SuspectNative,
            Some(_) => ReviewState::Reviewed,
        })
        .collect();
    (0..graph.reqs.len()).map(|i| review_one(graph, &fps, &own, i)).collect()
}

fn review_one(graph: &Graph, fps: &[String], own: &[ReviewState], i: usize) -> Review {
    let req = &graph.reqs[i];
    let mut causes = Vec::new();
    match own[i] {
        ReviewState::Unreviewed => causes.push(format!("{} has no REVIEWED_HASH", req.uid)),
        ReviewState::SuspectNative => causes.push(format!("{} changed since its review", req.uid)),
        _ => {}
    }
    let recorded = parse_upstream(req.field("REVIEWED_UPSTREAM").unwrap_or(""));
    let ancestors = graph.ancestors(i);
    for (a, path) in &ancestors {
        let chain = path.iter().map(|&n| graph.reqs[n].uid.as_str()).collect::<Vec<_>>().join(" ← ");
        let anc = &graph.reqs[*a];
        let cause = match (own[*a], recorded.get(anc.uid.as_str())) {
            (ReviewState::Unreviewed, _) => Some("unreviewed".to_string()),
            (ReviewState::SuspectNative, _) => Some("changed (suspect-native)".to_string()),
            _ if own[i] == ReviewState::Unreviewed => None,
            (_, None) => Some(format!("is new upstream since {} was reviewed", req.uid)),
            (_, Some(fp)) if *fp != fps[*a] => Some(format!("changed since {} was reviewed", req.uid)),
            _ => None,
        };
        if let Some(cause) = cause {
            causes.push(format!("{chain} {cause}"));
        }
    }
    if own[i] != ReviewState::Unreviewed {
        for uid in recorded.keys().filter(|uid| !ancestors.iter().any(|(a, _)| graph.reqs[*a].uid == **uid)) {
            causes.push(format!("{} ← {uid} is no longer upstream", req.uid));
        }
    }
    let state = match own[i] {
        ReviewState::Reviewed if !causes.is_empty() => ReviewState::SuspectInherited,
        s => s,
    };
    Review {
        state,
        fingerprint: fps[i].clone(),
        reviewed_hash: req.field("REVIEWED_HASH").map(|s| s.trim().to_string()),
        reviewed_by: req.field("REVIEWED_BY").map(|s| s.trim().to_string()),
        causes,
    }
}

fn parse_upstream(text: &str) -> BTreeMap<&str, &str> {
    text.lines().filter_map(|l| l.trim().split_once(' ')).map(|(u, h)| (u.trim(), h.trim())).collect()
}
