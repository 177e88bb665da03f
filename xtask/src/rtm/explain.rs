//! `rtm-gate --explain UID`: every cause of one requirement's review state, computed on demand.
//! The gate lists at most 10 causes per requirement, each by its ends; this lists
//! every upstream cause with its distance and first parent, and the whole chain to each root
//! cause, for the one requirement asked about (issue #19).

use serde::Serialize;

use super::RtmError;
use super::inherited::{inherit, starts_suspicion};
use super::model::Graph;
use super::review::{self, ReviewState, Walk};

/// Root causes whose whole chain is spelled out; the rest are flagged in `upstream`.
const MAX_CHAINS: usize = 100;

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub uid: String,
    pub state: ReviewState,
    /// The requirement's own cause (no review, or changed since it), if any.
    pub own: Option<String>,
    /// Every upstream cause, nearest first.
    pub upstream: Vec<UpstreamCause>,
    /// Recorded upstream UIDs that are no longer ancestors.
    pub no_longer_upstream: Vec<String>,
    /// The whole chain, requirement first, to each root cause (at most 100).
    pub root_chains: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpstreamCause {
    pub uid: String,
    pub levels: usize,
    /// The requirement's parent the shortest chain to this cause leaves through.
    pub via: String,
    pub what: String,
    /// An ancestor whose own review is missing or stale, with no such ancestor above it.
    pub root: bool,
}

/// # Errors
/// No requirement has the UID.
pub fn explain(graph: &Graph, uid: &str) -> Result<Explanation, RtmError> {
    let i = *graph.index.get(uid).ok_or_else(|| RtmError::UnknownUid { uid: uid.to_string() })?;
    let fps = review::fingerprints(graph);
    let own = review::own_states(graph, &fps);
    let inherited = inherit(graph, &own);
    let name = |n: usize| graph.reqs[n].uid.clone();
    let is_root = |n: usize| starts_suspicion(own[n]) && inherited[n].nearest.is_none();
    let walk = Walk::upstream(graph, &fps, &own, i, usize::MAX);
    let upstream: Vec<UpstreamCause> = walk
        .causes
        .iter()
        .map(|(h, what)| UpstreamCause {
            uid: name(h.cause),
            levels: h.levels,
            via: name(h.via),
            what: what.clone(),
            root: is_root(h.cause),
        })
        .collect();
    let mut ancestors = graph.ancestors(i);
    let mut root_chains = Vec::new();
    while root_chains.len() < MAX_CHAINS {
        let Some(a) = ancestors.next() else { break };
        if is_root(a) {
            root_chains.push(ancestors.path(a).into_iter().map(name).collect());
        }
    }
    let own_cause = review::own_cause(uid, own[i]);
    let state = match own[i] {
        ReviewState::Reviewed if !upstream.is_empty() || !walk.gone.is_empty() => ReviewState::SuspectInherited,
        s => s,
    };
    Ok(Explanation {
        uid: uid.to_string(),
        state,
        own: own_cause,
        upstream,
        no_longer_upstream: walk.gone,
        root_chains,
    })
}

impl Explanation {
    pub fn text(&self) -> String {
        let mut t = format!("{}: {}\n", self.uid, self.state.as_str());
        if let Some(own) = &self.own {
            t.push_str(&format!("  {own}\n"));
        }
        if !self.upstream.is_empty() {
            t.push_str(&format!("upstream causes ({}, nearest first):\n", self.upstream.len()));
        }
        for c in &self.upstream {
            let root = if c.root { ", root cause" } else { "" };
            let s = if c.levels == 1 { "" } else { "s" };
            t.push_str(&format!("  {} {} ({} level{s} up, via {}{root})\n", c.uid, c.what, c.levels, c.via));
        }
        for gone in &self.no_longer_upstream {
            t.push_str(&format!("  {gone} is no longer upstream of {}\n", self.uid));
        }
        if !self.root_chains.is_empty() {
            t.push_str("chains to the root causes:\n");
        }
        for chain in &self.root_chains {
            t.push_str(&format!("  {}\n", chain.join(" ← ")));
        }
        let roots = self.upstream.iter().filter(|c| c.root).count();
        if roots > self.root_chains.len() {
            t.push_str(&format!(
                "  … the other {} root causes' chains are not spelled out\n",
                roots - self.root_chains.len()
            ));
        }
        if self.own.is_none() && self.upstream.is_empty() && self.no_longer_upstream.is_empty() {
            t.push_str("  reviewed in its current form, against its current upstream\n");
        }
        t
    }
}
