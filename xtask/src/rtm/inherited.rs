//! What each requirement inherits from its ancestors whose own review is missing or stale
//! (unreviewed or suspect-native), computed once per requirement in topological order: the
//! nearest such ancestor, and the root causes (such ancestors with none above them), each with
//! its distance in levels. No requirement walks its ancestry, so a 200,000-deep unreviewed chain
//! costs one pass, not 20 billion steps (issue #19).

use super::model::Graph;
use crate::formats::index::ReviewState;

/// Most upstream causes and root causes listed for one requirement; the rest are counted, and
/// `rtm-gate --explain UID` lists them all. Every ancestor still counts for the state.
pub const MAX_CAUSES: usize = 10;

/// One ancestor reached from a requirement: `levels` up, through the parent `via`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    pub cause: usize,
    pub levels: usize,
    pub via: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Inherited {
    pub nearest: Option<Hop>,
    /// At most [`MAX_CAUSES`] root causes, as (requirement, levels up), nearest first per parent.
    pub roots: Vec<(usize, usize)>,
    /// More root causes exist than are listed.
    pub more_roots: bool,
}

/// A requirement whose own review is missing or stale: suspicion below it starts here.
pub fn starts_suspicion(state: ReviewState) -> bool {
    matches!(state, ReviewState::Unreviewed | ReviewState::SuspectNative)
}

/// `own` is each requirement's own review state (before inheritance).
pub fn inherit(graph: &Graph, own: &[ReviewState]) -> Vec<Inherited> {
    let mut out = vec![Inherited::default(); graph.reqs.len()];
    for i in topological(graph) {
        let mut mine = Inherited::default();
        for &p in &graph.parents[i] {
            let bad = starts_suspicion(own[p]);
            let from_parent = &out[p];
            let near = if bad {
                Some(Hop { cause: p, levels: 1, via: p })
            } else {
                from_parent.nearest.map(|h| Hop { cause: h.cause, levels: h.levels + 1, via: p })
            };
            if let Some(h) = near.filter(|h| mine.nearest.is_none_or(|m| h.levels < m.levels)) {
                mine.nearest = Some(h);
            }
            if from_parent.roots.is_empty() {
                if bad {
                    add_root(&mut mine, p, 1);
                }
            } else {
                mine.more_roots |= from_parent.more_roots;
                for &(r, levels) in &from_parent.roots {
                    add_root(&mut mine, r, levels + 1);
                }
            }
        }
        out[i] = mine;
    }
    out
}

fn add_root(into: &mut Inherited, root: usize, levels: usize) {
    if let Some(known) = into.roots.iter_mut().find(|(r, _)| *r == root) {
        known.1 = known.1.min(levels);
    } else if into.roots.len() < MAX_CAUSES {
        into.roots.push((root, levels));
    } else {
        into.more_roots = true;
    }
}

/// Parents before children (Kahn's algorithm; the graph is acyclic, `Graph::build` checked).
fn topological(graph: &Graph) -> Vec<usize> {
    let mut waiting: Vec<usize> = graph.parents.rows().map(<[usize]>::len).collect();
    let mut order: Vec<usize> = (0..graph.reqs.len()).filter(|&i| waiting[i] == 0).collect();
    let mut next = 0;
    while let Some(&node) = order.get(next) {
        next += 1;
        for &k in &graph.children[node] {
            waiting[k] -= 1;
            if waiting[k] == 0 {
                order.push(k);
            }
        }
    }
    order
}
