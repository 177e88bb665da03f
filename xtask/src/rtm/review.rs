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
        graph.ancestors(i).map(|a| (graph.reqs[a].uid.as_str(), fingerprints[a].as_str())).collect();
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

/// Most causes listed for one requirement; the rest are counted. Every ancestor still counts
/// for the state: a 2,000-deep unreviewed chain would otherwise list 2 million causes.
pub const MAX_CAUSES: usize = 10;

/// Hops of a parent chain shown in full; a longer chain shows its ends around the count.
const MAX_CHAIN: usize = 8;

fn review_one(graph: &Graph, fps: &[String], own: &[ReviewState], i: usize) -> Review {
    let req = &graph.reqs[i];
    let mut causes = Vec::new();
    match own[i] {
        ReviewState::Unreviewed => causes.push(format!("{} has no REVIEWED_HASH", req.uid)),
        ReviewState::SuspectNative => causes.push(format!("{} changed since its review", req.uid)),
        _ => {}
    }
    let recorded = parse_upstream(req.field("REVIEWED_UPSTREAM").unwrap_or(""));
    let mut ancestors = graph.ancestors(i);
    let mut upstream: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut more = false;
    while let Some(a) = ancestors.next() {
        let anc = &graph.reqs[a];
        upstream.insert(anc.uid.as_str());
        let cause = match (own[a], recorded.get(anc.uid.as_str())) {
            (ReviewState::Unreviewed, _) => Some("unreviewed".to_string()),
            (ReviewState::SuspectNative, _) => Some("changed (suspect-native)".to_string()),
            _ if own[i] == ReviewState::Unreviewed => None,
            (_, None) => Some(format!("is new upstream since {} was reviewed", req.uid)),
            (_, Some(fp)) if *fp != fps[a] => Some(format!("changed since {} was reviewed", req.uid)),
            _ => None,
        };
        match cause {
            // Enough is listed; the walk goes on only while the recorded upstream still has to be
            // matched against the ancestors (its size is bounded by the document's).
            Some(_) if causes.len() >= MAX_CAUSES => {
                more = true;
                if recorded.is_empty() || own[i] == ReviewState::Unreviewed {
                    break;
                }
            }
            Some(cause) => causes.push(format!("{} {cause}", chain(graph, &ancestors.path(a)))),
            None => {}
        }
    }
    if own[i] != ReviewState::Unreviewed && !more {
        for uid in recorded.keys().filter(|uid| !upstream.contains(**uid)) {
            causes.push(format!("{} ← {uid} is no longer upstream", req.uid));
        }
    }
    if more {
        causes.push("… and more upstream causes, not listed".into());
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

/// `REQ-7 ← REQ-3 ← SYS-1`; a chain of more than 8 hops shows its first 4 and last 3 around the
/// number left out.
fn chain(graph: &Graph, path: &[usize]) -> String {
    let uid = |n: &usize| graph.reqs[*n].uid.as_str();
    if path.len() <= MAX_CHAIN {
        return path.iter().map(uid).collect::<Vec<_>>().join(" ← ");
    }
    let head: Vec<&str> = path[..4].iter().map(uid).collect();
    let tail: Vec<&str> = path[path.len() - 3..].iter().map(uid).collect();
    format!("{} ← … {} more … ← {}", head.join(" ← "), path.len() - 7, tail.join(" ← "))
}

fn parse_upstream(text: &str) -> BTreeMap<&str, &str> {
    text.lines().filter_map(|l| l.trim().split_once(' ')).map(|(u, h)| (u.trim(), h.trim())).collect()
}
