//! Requirements and their Parent links, gathered from every loaded document into one graph.
//! Duplicate UIDs, unknown targets and cycles are errors that name both ends.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::RtmError;
use super::sdoc::{Document, Node, Relation, RelationKind};

/// Node tags that structure a document rather than state a requirement.
pub const NOT_REQUIREMENTS: [&str; 3] = ["SECTION", "TEXT", "DOCUMENT_FROM_FILE"];

/// One requirement as the gate needs it. The document's title and the file are shared by every
/// requirement of the file, and the title is read from the fields: copied per requirement,
/// they were a quarter of a 200,000-requirement graph (issue #19).
#[derive(Debug, Clone)]
pub struct Requirement {
    pub uid: String,
    pub document: Arc<str>,
    /// Relative to the root when under it.
    pub file: Arc<Path>,
    pub line: usize,
    /// Every field in file order, review fields included.
    pub fields: Vec<(String, String)>,
    pub relations: Vec<Relation>,
    /// Test references from `VERIFIES` fields.
    pub verifies: Vec<String>,
}

impl Requirement {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn title(&self) -> &str {
        self.field("TITLE").unwrap_or_default()
    }
}

#[derive(Debug, Default)]
pub struct Graph {
    pub reqs: Vec<Requirement>,
    pub index: HashMap<String, usize>,
    /// Direct parents and children of each requirement, by index, in declaration order.
    pub parents: Vec<Vec<usize>>,
    pub children: Vec<Vec<usize>>,
}

impl Graph {
    pub fn build(docs: &[Document], root: &Path) -> Result<Graph, RtmError> {
        let mut g = Graph::default();
        for doc in docs {
            let mut shared = Shared::new(doc, root);
            let mut stack: Vec<&Node> = doc.nodes.iter().rev().collect();
            while let Some(node) = stack.pop() {
                stack.extend(node.children.iter().rev());
                if let Some(req) = shared.requirement(node) {
                    g.add(req)?;
                }
            }
        }
        g.reqs.shrink_to_fit();
        g.link()?;
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
    fn link(&mut self) -> Result<(), RtmError> {
        let n = self.reqs.len();
        self.parents = vec![Vec::new(); n];
        self.children = vec![Vec::new(); n];
        // A set of edges, not a scan of each child's parents: one requirement with 80,000
        // parents took 20 s to link (issue #19).
        let mut edges = std::collections::HashSet::new();
        for i in 0..n {
            for rel in &self.reqs[i].relations {
                let (child, parent) = match rel.kind {
                    RelationKind::File => continue,
                    RelationKind::Parent => (i, self.target(i, rel)?),
                    RelationKind::Child => (self.target(i, rel)?, i),
                };
                if edges.insert((child, parent)) {
                    self.parents[child].push(parent);
                    self.children[parent].push(child);
                }
            }
        }
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

    fn requirement(&mut self, node: &Node) -> Option<Requirement> {
        if NOT_REQUIREMENTS.contains(&node.tag.as_str()) {
            return None;
        }
        let uid = node.uid()?.trim().to_string();
        let verifies = node
            .fields
            .iter()
            .filter(|f| f.name == "VERIFIES" || f.name == "VERIFIED_BY")
            .flat_map(|f| f.value.split([',', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(String::from))
            .collect();
        Some(Requirement {
            uid,
            document: Arc::clone(&self.document),
            file: self.file(&node.file),
            line: node.line,
            fields: node.fields.iter().map(|f| (f.name.clone(), f.value.clone())).collect(),
            relations: node.relations.clone(),
            verifies,
        })
    }
}
