//! Property: for any requirement graph and any history of edits, re-links and stamps, the
//! gate's review states equal a brute-force reference that follows the README's definitions
//! literally: it remembers what every requirement and its ancestors looked like at each stamp
//! (content compared as values, not fingerprints) and finds ancestors by transitive closure of
//! the parent matrix (not the gate's graph walk). Links are declared both ways — `Parent` up and
//! `Child` down — because only a `Child` link, declared by the ancestor, can add or remove an
//! ancestor without changing the descendant's own fingerprint. The real `stamp` writes the
//! review fields.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use proptest::prelude::*;
use signet::rtm::gate::{self, GateOptions};
use signet::rtm::review::ReviewState as State;
use signet::rtm::stamp::{self, StampOptions};

use crate::support::proptest_config;

const GRAMMAR: &str = "[GRAMMAR]
ELEMENTS:
- TAG: REQUIREMENT
  FIELDS:
  - TITLE: UID
    TYPE: String
    REQUIRED: True
  - TITLE: TITLE
    TYPE: String
    REQUIRED: True
  - TITLE: STATEMENT
    TYPE: String
    REQUIRED: True
  RELATIONS:
  - TYPE: Parent
  - TYPE: Child
";

/// What a reviewer approves: the statement (one of a few variants, so edits can also revert)
/// and the links in order: `Parent` to lower indices, `Child` to higher ones, so every link
/// points from a lower-index parent to a higher-index child and the graph stays acyclic.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Content {
    variant: u8,
    parents: Vec<usize>,
    children: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Step {
    /// Stamps the requirements whose bit is set.
    Stamp(u8),
    Edit(usize, u8),
    /// New links from the masks' bits: parents among lower indices, children among higher ones.
    Relink(usize, u8, u8),
}

/// What a stamp of requirement `i` recorded: its own content and each ancestor's.
#[derive(Debug, Clone)]
struct Stamped {
    own: Content,
    upstream: BTreeMap<usize, Content>,
}

struct Model {
    content: Vec<Content>,
    stamped: Vec<Option<Stamped>>,
}

fn links(i: usize, n: usize, parents: u8, children: u8) -> Content {
    Content {
        variant: 0,
        parents: (0..i).filter(|j| parents & (1 << j) != 0).collect(),
        children: (i + 1..n).filter(|j| children & (1 << j) != 0).collect(),
    }
}

impl Model {
    fn new(masks: &[(u8, u8)]) -> Model {
        let n = masks.len();
        let content = masks.iter().enumerate().map(|(i, &(p, c))| links(i, n, p, c)).collect();
        Model { content, stamped: vec![None; n] }
    }

    /// Ancestors by Warshall's transitive closure of the parent matrix.
    fn ancestors(&self) -> Vec<Vec<bool>> {
        let n = self.content.len();
        let mut reach = vec![vec![false; n]; n];
        for (i, c) in self.content.iter().enumerate() {
            for &p in &c.parents {
                reach[i][p] = true;
            }
            for &child in &c.children {
                reach[child][i] = true;
            }
        }
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    reach[i][j] |= reach[i][k] && reach[k][j];
                }
            }
        }
        reach
    }

    fn stamp(&mut self, i: usize, reach: &[Vec<bool>]) {
        let upstream = (0..self.content.len()).filter(|&a| reach[i][a]).map(|a| (a, self.content[a].clone())).collect();
        self.stamped[i] = Some(Stamped { own: self.content[i].clone(), upstream });
    }

    fn own_state(&self, i: usize) -> State {
        match &self.stamped[i] {
            None => State::Unreviewed,
            Some(s) if s.own != self.content[i] => State::SuspectNative,
            Some(_) => State::Reviewed,
        }
    }

    /// The README: suspect-inherited when some ancestor, at any depth, is unreviewed or
    /// suspect-native, changed since the stamp, is new upstream, or is no longer upstream.
    fn expected(&self) -> Vec<State> {
        let reach = self.ancestors();
        let n = self.content.len();
        (0..n)
            .map(|i| {
                let own = self.own_state(i);
                let Some(stamped) = self.stamped[i].as_ref().filter(|_| own == State::Reviewed) else { return own };
                let now: Vec<usize> = (0..n).filter(|&a| reach[i][a]).collect();
                let ancestor_bad = now.iter().any(|&a| {
                    self.own_state(a) != State::Reviewed || stamped.upstream.get(&a) != Some(&self.content[a])
                });
                let dropped = stamped.upstream.keys().any(|a| !now.contains(a));
                if ancestor_bad || dropped { State::SuspectInherited } else { State::Reviewed }
            })
            .collect()
    }
}

fn uid(i: usize) -> String {
    format!("R{i}")
}

fn file_of(i: usize) -> &'static str {
    if i.is_multiple_of(2) { "a.sdoc" } else { "b.sdoc" }
}

fn statement(i: usize, variant: u8) -> String {
    format!("STATEMENT: {} says variant {variant}", uid(i))
}

fn relations(c: &Content) -> Vec<String> {
    if c.parents.is_empty() && c.children.is_empty() {
        return Vec::new();
    }
    let mut lines = vec!["RELATIONS:".to_string()];
    let typed = c.parents.iter().map(|&p| ("Parent", p)).chain(c.children.iter().map(|&k| ("Child", k)));
    for (kind, target) in typed {
        lines.push(format!("- TYPE: {kind}"));
        lines.push(format!("  VALUE: {}", uid(target)));
    }
    lines
}

fn write_documents(root: &Path, model: &Model) {
    for (file, title) in [("a.sdoc", "A"), ("b.sdoc", "B")] {
        let mut text = format!("[DOCUMENT]\nTITLE: {title}\n\n{GRAMMAR}");
        for (i, c) in model.content.iter().enumerate().filter(|(i, _)| file_of(*i) == file) {
            let mut lines =
                vec!["[REQUIREMENT]".to_string(), format!("UID: {}", uid(i)), format!("TITLE: {} title", uid(i))];
            lines.push(statement(i, c.variant));
            lines.extend(relations(c));
            text.push('\n');
            text.push_str(&lines.join("\n"));
            text.push('\n');
        }
        fs::write(root.join(file), text).expect("write document");
    }
}

/// Rewrites requirement `i`'s node in place, keeping the review fields `stamp` wrote.
fn edit_node(root: &Path, i: usize, edit: impl FnOnce(&mut Vec<String>)) {
    let path = root.join(file_of(i));
    let text = fs::read_to_string(&path).expect("read document");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let at = lines.iter().position(|l| *l == format!("UID: {}", uid(i))).expect("node present");
    let start = at - 1;
    let end = lines[at..].iter().position(String::is_empty).map_or(lines.len(), |n| at + n);
    let mut node: Vec<String> = lines[start..end].to_vec();
    edit(&mut node);
    lines.splice(start..end, node);
    fs::write(&path, lines.join("\n") + "\n").expect("write document");
}

fn apply(root: &Path, model: &mut Model, step: &Step) {
    let n = model.content.len();
    match *step {
        Step::Stamp(mask) => {
            let chosen: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
            if chosen.is_empty() {
                return;
            }
            let opts = StampOptions {
                root: root.to_path_buf(),
                docs: vec!["*.sdoc".into()],
                uids: chosen.iter().map(|&i| uid(i)).collect(),
                all: false,
                changed_since: None,
                by: "Rita Reviewer".into(),
            };
            stamp::stamp(&opts).unwrap_or_else(|e| panic!("stamp: {e}"));
            let reach = model.ancestors();
            for i in chosen {
                model.stamp(i, &reach);
            }
        }
        Step::Edit(i, variant) => {
            let i = i % n;
            model.content[i].variant = variant;
            let line = statement(i, variant);
            edit_node(root, i, |node| {
                let s = node.iter().position(|l| l.starts_with("STATEMENT: ")).expect("statement");
                node[s] = line;
            });
        }
        Step::Relink(i, parents, children) => {
            let i = i % n;
            let linked = Content { variant: model.content[i].variant, ..links(i, n, parents, children) };
            let lines = relations(&linked);
            model.content[i] = linked;
            edit_node(root, i, |node| {
                if let Some(r) = node.iter().position(|l| l == "RELATIONS:") {
                    node.truncate(r);
                }
                node.extend(lines);
            });
        }
    }
}

fn gate_states(root: &Path, n: usize) -> Vec<State> {
    let opts = GateOptions { root: root.to_path_buf(), docs: vec!["*.sdoc".into()], ..GateOptions::default() };
    let report = gate::run(&opts).unwrap_or_else(|e| panic!("gate: {e}"));
    let by_uid: BTreeMap<&str, State> = report.index.requirements.iter().map(|r| (r.uid.as_str(), r.state)).collect();
    (0..n).map(|i| by_uid[uid(i).as_str()]).collect()
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => any::<u8>().prop_map(Step::Stamp),
        1 => (0usize..8, 0u8..3).prop_map(|(i, v)| Step::Edit(i, v)),
        2 => (0usize..8, any::<u8>(), any::<u8>()).prop_map(|(i, p, c)| Step::Relink(i, p, c)),
    ]
}

proptest! {
    #![proptest_config(proptest_config(64))]

    #[test]
    fn prop_suspicion_equals_the_brute_force_reference(
        // Few requirements and many steps: histories that revisit the same links find more.
        masks in prop::collection::vec((any::<u8>(), any::<u8>()), 2..=5),
        steps in prop::collection::vec(step(), 1..=14),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut model = Model::new(&masks);
        write_documents(dir.path(), &model);
        for (k, s) in steps.iter().enumerate() {
            apply(dir.path(), &mut model, s);
            let got = gate_states(dir.path(), masks.len());
            prop_assert_eq!(got, model.expected(), "after step {} ({:?})", k + 1, s);
        }
    }
}
