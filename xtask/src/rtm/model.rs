//! Requirements and their Parent links, gathered from every loaded document into one graph.
//! Duplicate UIDs, unknown targets and cycles are errors that name both ends.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::RtmError;
use super::fingerprint::fingerprint;
use super::sdoc::{Document, Node, Relation, RelationKind};
use crate::digest::Digest;

/// The fields a requirement keeps after its fingerprint is taken: the only ones the gate, `stamp`
/// and `--explain` read. A STATEMENT of every requirement was most of a large graph.
pub const KEPT: [&str; 5] = ["TITLE", "STATUS", "REVIEWED_HASH", "REVIEWED_BY", "REVIEWED_UPSTREAM"];

/// Node tags that structure a document rather than state a requirement.
pub const NOT_REQUIREMENTS: [&str; 3] = ["SECTION", "TEXT", "DOCUMENT_FROM_FILE"];

/// One requirement as the gate needs it. The document's title and the file are shared by every
/// requirement of the file, and the title is read from the fields: copied per requirement,
/// they were a quarter of a 200,000-requirement graph (issue #19). The fingerprint is taken as
/// the requirement is made, so that only the fields read later are kept; the relations stay in
/// the parsed documents, which the graph's edges are linked from.
#[derive(Debug, Clone)]
pub struct Requirement {
    pub uid: String,
    pub document: Arc<str>,
    /// Relative to the root when under it.
    pub file: Arc<Path>,
    pub line: usize,
    /// The review fingerprint of every field and relation (`fingerprint::fingerprint`).
    pub fingerprint: Digest,
    /// The [`KEPT`] fields, in file order.
    pub fields: Vec<(String, String)>,
    /// Test references from `VERIFIES` fields.
    pub verifies: Vec<String>,
}

impl Requirement {
    /// One of the [`KEPT`] fields; the others are not kept.
    pub fn field(&self, name: &str) -> Option<&str> {
        debug_assert!(KEPT.contains(&name), "{name} is not a field the graph keeps");
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn title(&self) -> &str {
        self.field("TITLE").unwrap_or_default()
    }

    /// The title, moved out; every kept field is dropped with it, so that the gate's last pass
    /// frees each requirement's fields as it goes.
    pub fn take_title(&mut self) -> String {
        let fields = std::mem::take(&mut self.fields);
        fields.into_iter().find(|(n, _)| n == "TITLE").map(|(_, v)| v).unwrap_or_default()
    }
}

#[derive(Debug, Default)]
pub struct Graph {
    pub reqs: Vec<Requirement>,
    pub index: HashMap<String, usize>,
    /// Direct parents and children of each requirement, by index, in declaration order.
    pub parents: Edges,
    pub children: Edges,
}

/// The edges of one direction, row by row: `edges[i]` is requirement `i`'s list. One `Vec` per
/// requirement and direction was 29 MB of a 200,000-deep chain's graph (issue #19).
#[derive(Debug, Default, Clone)]
pub struct Edges {
    /// Row `i` is `targets[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    targets: Vec<usize>,
}

impl Edges {
    /// `n` rows from `(row, target)` pairs, each row in the pairs' order.
    fn new(n: usize, pairs: impl Iterator<Item = (usize, usize)> + Clone) -> Edges {
        let mut starts = vec![0; n + 1];
        for (row, _) in pairs.clone() {
            starts[row + 1] += 1;
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut targets = vec![0; starts[n]];
        for (row, target) in pairs {
            targets[next[row]] = target;
            next[row] += 1;
        }
        Edges { starts, targets }
    }

    pub fn rows(&self) -> impl Iterator<Item = &[usize]> {
        self.starts.windows(2).map(|w| &self.targets[w[0]..w[1]])
    }
}

impl std::ops::Index<usize> for Edges {
    type Output = [usize];

    fn index(&self, i: usize) -> &[usize] {
        &self.targets[self.starts[i]..self.starts[i + 1]]
    }
}

impl Graph {
    pub fn build(docs: &[Document], root: &Path) -> Result<Graph, RtmError> {
        // Found first, so that the list and the index are made at their size: grown by doubling,
        // they left their old copies behind in a 200,000-requirement graph's peak.
        let nodes: Vec<Vec<&Node>> = docs.iter().map(requirement_nodes).collect();
        let n = nodes.iter().map(Vec::len).sum();
        let mut g = Graph { reqs: Vec::with_capacity(n), index: HashMap::with_capacity(n), ..Graph::default() };
        for (doc, nodes) in docs.iter().zip(&nodes) {
            let mut shared = Shared::new(doc, root);
            for node in nodes {
                g.add(shared.requirement(node))?;
            }
        }
        g.link(nodes.iter().flatten().map(|node| node.relations.as_slice()))?;
        g.check_acyclic()?;
        Ok(g)
    }

    fn add(&mut self, req: Requirement) -> Result<(), RtmError> {
        if let Some(&first) = self.index.get(&req.uid) {
            let f = &self.reqs[first];
            return Err(RtmError::DuplicateUid {
                uid: req.uid,
                first: (f.file.to_path_buf(), f.line),
                second: (req.file.to_path_buf(), req.line),
            });
        }
        self.index.insert(req.uid.clone(), self.reqs.len());
        self.reqs.push(req);
        Ok(())
    }

    /// Parent relations point up; Child relations point down: both become parent edges.
    /// `relations` are each requirement's, in order.
    fn link<'a>(&mut self, relations: impl Iterator<Item = &'a [Relation]>) -> Result<(), RtmError> {
        // A set of edges, not a scan of each child's parents: one requirement with 80,000
        // parents took 20 s to link (issue #19).
        let mut seen = std::collections::HashSet::new();
        let mut edges = Vec::new();
        for (i, relations) in relations.enumerate() {
            for rel in relations {
                let (child, parent) = match rel.kind {
                    RelationKind::File => continue,
                    RelationKind::Parent => (i, self.target(i, rel)?),
                    RelationKind::Child => (self.target(i, rel)?, i),
                };
                if seen.insert((child, parent)) {
                    edges.push((child, parent));
                }
            }
        }
        drop(seen);
        let n = self.reqs.len();
        self.parents = Edges::new(n, edges.iter().copied());
        self.children = Edges::new(n, edges.iter().map(|&(child, parent)| (parent, child)));
        Ok(())
    }

    fn target(&self, from: usize, rel: &Relation) -> Result<usize, RtmError> {
        self.index.get(&rel.value).copied().ok_or_else(|| {
            let r = &self.reqs[from];
            RtmError::UnknownTarget {
                uid: r.uid.clone(),
                kind: rel.kind.as_str(),
                target: rel.value.clone(),
                at: (r.file.to_path_buf(), rel.line),
            }
        })
    }

    /// Iterative three-colour DFS over parent edges; a back edge is a cycle.
    fn check_acyclic(&self) -> Result<(), RtmError> {
        let mut colour = vec![0u8; self.reqs.len()];
        for start in 0..self.reqs.len() {
            if colour[start] != 0 {
                continue;
            }
            let mut path = vec![(start, 0usize)];
            colour[start] = 1;
            while let Some((node, next)) = path.last_mut() {
                let node = *node;
                if let Some(&parent) = self.parents[node].get(*next) {
                    *next += 1;
                    match colour[parent] {
                        0 => {
                            colour[parent] = 1;
                            path.push((parent, 0));
                        }
                        1 => return Err(self.cycle_error(&path, parent)),
                        _ => {}
                    }
                } else {
                    colour[node] = 2;
                    path.pop();
                }
            }
        }
        Ok(())
    }

    fn cycle_error(&self, path: &[(usize, usize)], back_to: usize) -> RtmError {
        let from = path.iter().position(|&(n, _)| n == back_to).unwrap_or(0);
        let mut chain: Vec<(String, PathBuf, usize)> = path[from..]
            .iter()
            .map(|&(n, _)| (self.reqs[n].uid.clone(), self.reqs[n].file.to_path_buf(), self.reqs[n].line))
            .collect();
        chain.push((self.reqs[back_to].uid.clone(), self.reqs[back_to].file.to_path_buf(), self.reqs[back_to].line));
        RtmError::Cycle { chain }
    }

    /// Every ancestor of `i` (transitively), nearest first, found as the caller asks for them:
    /// a caller that has seen enough stops the walk. Paths are not kept, only the step each
    /// ancestor was reached from: a 2,000-deep parent chain has 2 million ancestor pairs, and
    /// their paths would be 1.3 billion nodes.
    pub fn ancestors(&self, i: usize) -> Ancestors<'_> {
        Ancestors { graph: self, from: i, frontier: std::collections::VecDeque::from([(i, 0)]), via: HashMap::new() }
    }
}

/// The ancestors of one requirement, breadth first, with a shortest parent path to each. Each
/// step reads parent edges only until it finds a new ancestor, so stopping after ten costs ten
/// ancestors' worth, even when one of them has 100,000 parents.
#[derive(Debug, Clone)]
pub struct Ancestors<'g> {
    graph: &'g Graph,
    from: usize,
    /// Requirements whose parents are still being read, and the next parent to read.
    frontier: std::collections::VecDeque<(usize, usize)>,
    /// Per ancestor reached: the child it was reached from, its distance in levels, and the
    /// requirement's parent the shortest path leaves through.
    via: HashMap<usize, Step>,
}

#[derive(Debug, Clone, Copy)]
struct Step {
    child: usize,
    levels: usize,
    first: usize,
}

impl Iterator for Ancestors<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            let (node, next) = self.frontier.front_mut()?;
            let node = *node;
            let Some(&p) = self.graph.parents[node].get(*next) else {
                self.frontier.pop_front();
                continue;
            };
            *next += 1;
            if p == self.from || self.via.contains_key(&p) {
                continue;
            }
            let (levels, first) = self.via.get(&node).map_or((0, p), |s| (s.levels, s.first));
            self.via.insert(p, Step { child: node, levels: levels + 1, first });
            self.frontier.push_back((p, 0));
            return Some(p);
        }
    }
}

impl Ancestors<'_> {
    /// The shortest parent path from the requirement to an ancestor `a` already yielded, both
    /// included.
    pub fn path(&self, a: usize) -> Vec<usize> {
        let mut path = vec![a];
        let mut node = a;
        while node != self.from {
            let Some(step) = self.via.get(&node) else { break };
            path.push(step.child);
            node = step.child;
        }
        path.reverse();
        path
    }

    /// How many levels up an ancestor already yielded is, and the requirement's parent its
    /// shortest path leaves through: in constant time, unlike [`Ancestors::path`].
    pub fn hop(&self, a: usize) -> (usize, usize) {
        self.via.get(&a).map_or((0, a), |s| (s.levels, s.first))
    }
}

/// What the requirements of one document share: its title, and each file's path under the
/// root (an included file's nodes name their own file).
struct Shared<'d> {
    document: Arc<str>,
    root: &'d Path,
    /// The last file seen, and its path under the root: nodes of one file come together.
    file: Option<(Arc<Path>, Arc<Path>)>,
}

impl<'d> Shared<'d> {
    fn new(doc: &Document, root: &'d Path) -> Self {
        Shared { document: Arc::from(doc.title.as_str()), root, file: None }
    }

    fn file(&mut self, file: &Arc<Path>) -> Arc<Path> {
        match &self.file {
            Some((from, under)) if Arc::ptr_eq(from, file) => Arc::clone(under),
            _ => {
                let under: Arc<Path> = Arc::from(file.strip_prefix(self.root).unwrap_or(file));
                self.file = Some((Arc::clone(file), Arc::clone(&under)));
                under
            }
        }
    }

    /// `node` is one of [`requirement_nodes`].
    fn requirement(&mut self, node: &Node) -> Requirement {
        let uid = node.uid().unwrap_or_default().trim().to_string();
        let verifies = node
            .fields
            .iter()
            .filter(|f| f.name == "VERIFIES" || f.name == "VERIFIED_BY")
            .flat_map(|f| f.value.split([',', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(String::from))
            .collect();
        Requirement {
            uid,
            document: Arc::clone(&self.document),
            file: self.file(&node.file),
            line: node.line,
            fingerprint: fingerprint(node.fields.iter().map(|f| (f.name.as_str(), f.value.as_str())), &node.relations),
            fields: node
                .fields
                .iter()
                .filter(|f| KEPT.contains(&f.name.as_str()))
                .map(|f| (f.name.clone(), f.value.clone()))
                .collect(),
            verifies,
        }
    }
}

/// The nodes of `doc` that are requirements, in document order.
fn requirement_nodes(doc: &Document) -> Vec<&Node> {
    let mut found = Vec::new();
    let mut stack: Vec<&Node> = doc.nodes.iter().rev().collect();
    while let Some(node) = stack.pop() {
        stack.extend(node.children.iter().rev());
        if !NOT_REQUIREMENTS.contains(&node.tag.as_str()) && node.uid().is_some() {
            found.push(node);
        }
    }
    found
}
