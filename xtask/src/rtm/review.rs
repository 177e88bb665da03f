//! Review state of every requirement (the seeds' vocabulary): `reviewed`, `unreviewed`,
//! `suspect-native` (own content changed since the stamp) and `suspect-inherited` (some
//! ancestor, at any depth, changed since this requirement was reviewed, or is itself unreviewed
//! or suspect-native). Each stamp records the fingerprint of every ancestor it was reviewed
//! against (`REVIEWED_UPSTREAM`), so re-reviewing a parent does not clear its children.

use std::collections::BTreeMap;

pub use super::inherited::MAX_CAUSES;
use super::inherited::{Hop, Inherited, inherit, starts_suspicion};
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
    graph.reqs.iter().map(|r| r.fingerprint.tagged()).collect()
}

pub fn assess(graph: &Graph) -> Vec<Review> {
    let fps = fingerprints(graph);
    let own = own_states(graph, &fps);
    let inherited = inherit(graph, &own);
    let mut reviews: Vec<Review> =
        (0..graph.reqs.len()).map(|i| review_one(graph, &fps, &own, &inherited[i], i)).collect();
    // Moved in last, not copied while every ancestor's is still needed: 200,000 copies were
    // 16 MB of the gate's peak (issue #19).
    for (review, fp) in reviews.iter_mut().zip(fps) {
        review.fingerprint = fp;
    }
    reviews
}

/// Each requirement's own review state, before anything is inherited.
pub fn own_states(graph: &Graph, fps: &[String]) -> Vec<ReviewState> {
    graph
        .reqs
        .iter()
        .zip(fps)
        .map(|(r, fp)| match r.field("REVIEWED_HASH").map(str::trim) {
            None | Some("") => ReviewState::Unreviewed,
            Some(h) if h != fp => ReviewState::SuspectNative,
            Some(_) => ReviewState::Reviewed,
        })
        .collect()
}

/// The one hint every capped list ends with.
pub const MORE: &str = "signet rtm-gate --explain UID lists them all";

/// A requirement's causes: its own, then the upstream ones nearest first, then the root causes
/// not already named. A reviewed requirement walks its ancestors only until it has
/// [`MAX_CAUSES`]: every clean ancestor it passes is one line of its own `REVIEWED_UPSTREAM`, so
/// the walk is bounded by the document's size. An unreviewed one has no upstream record to
/// compare with: it names its unreviewed or changed parents, and its nearest such ancestor from
/// the topological pass. The fingerprint is left empty here: `assess` moves it in.
fn review_one(graph: &Graph, fps: &[String], own: &[ReviewState], inh: &Inherited, i: usize) -> Review {
    let req = &graph.reqs[i];
    let mut causes: Vec<String> = own_cause(&req.uid, own[i]).into_iter().collect();
    let mut named = Vec::new();
    if own[i] == ReviewState::Unreviewed {
        let mut bad_parents = graph.parents[i].iter().copied().filter(|&p| starts_suspicion(own[p]));
        for p in bad_parents.by_ref().take(MAX_CAUSES) {
            causes.push(format!("{} {}", chain(graph, i, None, p, 1), what(own[p])));
            named.push(p);
        }
        if let Some(h) = inh.nearest.filter(|h| !named.contains(&h.cause)) {
            causes.push(format!("{} {}", chain(graph, i, Some(h.via), h.cause, h.levels), what(own[h.cause])));
            named.push(h.cause);
        }
        if bad_parents.next().is_some() {
            causes.push(format!("… and more upstream causes, not listed ({MORE})"));
        }
    } else {
        let walk = Walk::upstream(graph, fps, own, i, MAX_CAUSES);
        for (h, cause) in &walk.causes {
            causes.push(format!("{} {cause}", chain(graph, i, Some(h.via), h.cause, h.levels)));
            named.push(h.cause);
        }
        let room = MAX_CAUSES.saturating_sub(walk.causes.len());
        causes.extend(walk.gone.iter().take(room).map(|uid| format!("{} ← {uid} is no longer upstream", req.uid)));
        if walk.more || walk.gone.len() > room {
            causes.push(format!("… and more upstream causes, not listed ({MORE})"));
        }
    }
    for &(root, levels) in inh.roots.iter().filter(|(r, _)| !named.contains(r)) {
        causes.push(format!("{} {} (root cause)", chain(graph, i, None, root, levels), what(own[root])));
    }
    if inh.more_roots {
        causes.push(format!("… and more root causes, not listed ({MORE})"));
    }
    let state = match own[i] {
        ReviewState::Reviewed if !causes.is_empty() => ReviewState::SuspectInherited,
        s => s,
    };
    Review {
        state,
        fingerprint: String::new(),
        reviewed_hash: req.field("REVIEWED_HASH").map(|s| s.trim().to_string()),
        reviewed_by: req.field("REVIEWED_BY").map(|s| s.trim().to_string()),
        causes,
    }
}

/// A requirement's own cause, from its own review state, if it has one.
pub fn own_cause(uid: &str, own: ReviewState) -> Option<String> {
    match own {
        ReviewState::Unreviewed => Some(format!("{uid} has no REVIEWED_HASH")),
        ReviewState::SuspectNative => Some(format!("{uid} changed since its review")),
        ReviewState::Reviewed | ReviewState::SuspectInherited => None,
    }
}

/// Why an ancestor whose own review is missing or stale is a cause.
pub fn what(state: ReviewState) -> &'static str {
    match state {
        ReviewState::Unreviewed => "unreviewed",
        _ => "changed (suspect-native)",
    }
}

/// The upstream causes of a requirement, breadth first.
pub struct Walk {
    /// Each cause: the ancestor, its distance and first parent, and what it is.
    pub causes: Vec<(Hop, String)>,
    /// Recorded upstream UIDs that are no longer ancestors (only known when the walk finished).
    pub gone: Vec<String>,
    /// The walk stopped at `limit` causes.
    pub more: bool,
}

impl Walk {
    /// Stops after `limit` causes. Changes relative to the requirement's own review
    /// (`REVIEWED_UPSTREAM`) count only when it has one.
    pub fn upstream(graph: &Graph, fps: &[String], own: &[ReviewState], i: usize, limit: usize) -> Walk {
        let req = &graph.reqs[i];
        let relative = own[i] != ReviewState::Unreviewed;
        let recorded = parse_upstream(req.field("REVIEWED_UPSTREAM").unwrap_or(""));
        let mut walk = Walk { causes: Vec::new(), gone: Vec::new(), more: false };
        let mut seen = std::collections::HashSet::new();
        let mut ancestors = graph.ancestors(i);
        while let Some(a) = ancestors.next() {
            let anc = &graph.reqs[a];
            seen.insert(anc.uid.as_str());
            let cause = match (own[a], recorded.get(anc.uid.as_str())) {
                (s, _) if starts_suspicion(s) => what(s).to_string(),
                _ if !relative => continue,
                (_, None) => format!("is new upstream since {} was reviewed", req.uid),
                (_, Some(fp)) if *fp != fps[a] => format!("changed since {} was reviewed", req.uid),
                _ => continue,
            };
            if walk.causes.len() == limit {
                walk.more = true;
                return walk;
            }
            let (levels, via) = ancestors.hop(a);
            walk.causes.push((Hop { cause: a, levels, via }, cause));
        }
        if relative {
            walk.gone = recorded.keys().filter(|uid| !seen.contains(**uid)).map(|uid| uid.to_string()).collect();
        }
        walk
    }
}

/// `SW-5 ← SYS-1`, `SW-5 ← SW-2 ← SYS-1`, or, further up, `SW-5 ← SW-2 ← … (4 levels) ← SYS-1`
/// (`via` is the first parent on the way, when known): the whole chain is
/// `rtm-gate --explain UID`'s, never each requirement's.
fn chain(graph: &Graph, from: usize, via: Option<usize>, to: usize, levels: usize) -> String {
    let uid = |n: usize| graph.reqs[n].uid.as_str();
    match (via, levels) {
        (_, 1) => format!("{} ← {}", uid(from), uid(to)),
        (Some(v), 2) => format!("{} ← {} ← {}", uid(from), uid(v), uid(to)),
        (Some(v), _) => format!("{} ← {} ← … ({levels} levels) ← {}", uid(from), uid(v), uid(to)),
        (None, _) => format!("{} ← … ({levels} levels) ← {}", uid(from), uid(to)),
    }
}

pub fn parse_upstream(text: &str) -> BTreeMap<&str, &str> {
    text.lines().filter_map(|l| l.trim().split_once(' ')).map(|(u, h)| (u.trim(), h.trim())).collect()
}
