//! `stamp --changed-since`: which requirements the approval of a merged change covers (the
//! auto-stamp). A stamp says "a qualified person reviewed this text", so a requirement is chosen
//! only if the change's diff put every line of it in front of the approvers (`shown`), and
//! nothing at all is chosen when the change touched review records or unreviewed text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::RtmError;
use super::gate::load_documents;
use super::model::{Graph, NOT_REQUIREMENTS};
use super::review::{ReviewState, assess, fingerprints};
use super::sdoc::{Document, Node, Span};
use super::shown::{Diff, Origin};

/// The review fields `stamp` writes; a change must not write them itself.
pub const REVIEW_FIELDS: [&str; 3] = ["REVIEWED_HASH", "REVIEWED_BY", "REVIEWED_UPSTREAM"];

/// A merged change: its base's project folder (a checkout of the commit before it) and its diff.
#[derive(Debug, Clone)]
pub struct Change {
    pub base_root: PathBuf,
    pub diff: Diff,
}

/// A requirement `stamp --changed-since` leaves for a review of its own.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Left {
    pub uid: String,
    #[serde(flatten)]
    pub why: Why,
}

/// Why a requirement is left: each is a way an approval of one change could otherwise vouch for
/// text its reviewers were never shown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "why", rename_all = "kebab-case")]
pub enum Why {
    /// It was unreviewed before the change too, which did not review that earlier change.
    AlreadyUnreviewed { was: ReviewState },
    /// The change altered or removed requirements that were unreviewed in the base (`touched`).
    /// Their earlier text was never reviewed, and the diff showed only what changed in it: moved
    /// to another UID by a rename or a swap, it would be stamped unseen. So nothing is stamped.
    UnreviewedTouched { touched: Vec<String> },
    /// The change wrote review fields itself (`edited`): nothing is stamped.
    ReviewFieldsEdited { edited: Vec<String> },
    /// Line `line` of `file` was not in the diff as added, nor an unchanged line of this
    /// requirement's reviewed form (text brought in by a rename, an include, a link or a glob).
    NotShown { file: String, line: usize },
    /// Another requirement of the change has a line that was not shown (`file`:`line`): this one
    /// may be suspect only through that unseen text, so nothing is stamped.
    ChangeNotShown { file: String, line: usize },
}

/// The requirements of `graph` (loaded from `docs` under `root`) that `change` made unreviewed
/// and showed whole, and those left with the reason.
pub fn select(
    graph: &Graph,
    docs: &[Document],
    root: &Path,
    change: &Change,
) -> Result<(Vec<usize>, Vec<Left>), RtmError> {
    let cfg = crate::config::load(&change.base_root).map_err(RtmError::Config)?.requirements;
    let (base_docs, _) = load_documents(&change.base_root, &cfg.docs)?;
    let base = Graph::build(&base_docs, &change.base_root)?;
    let base_states: HashMap<&str, ReviewState> =
        base.reqs.iter().zip(assess(&base)).map(|(r, review)| (r.uid.as_str(), review.state)).collect();
    let (nodes, base_nodes) = (nodes_by_uid(docs), nodes_by_uid(&base_docs));
    let touched = touched(graph, &base, &base_states);
    let edited = review_fields_edited(&nodes, &base_nodes);
    let mut texts = Texts::default();
    let (mut targets, mut left) = (Vec::new(), Vec::new());
    for (i, review) in assess(graph).iter().enumerate() {
        if review.state == ReviewState::Reviewed {
            continue;
        }
        let uid = graph.reqs[i].uid.as_str();
        let was = base_states.get(uid).copied();
        let why = match was {
            Some(was) if was != ReviewState::Reviewed => Some(Why::AlreadyUnreviewed { was }),
            _ if !edited.is_empty() => Some(Why::ReviewFieldsEdited { edited: edited.clone() }),
            _ if !touched.is_empty() => Some(Why::UnreviewedTouched { touched: touched.clone() }),
            _ => {
                let before = was.map(|_| (base_nodes[uid].1, change.base_root.as_path()));
                not_shown(&mut texts, (nodes[uid].1, root), before, &change.diff)?
            }
        };
        match why {
            None => targets.push(i),
            Some(why) => left.push(Left { uid: uid.to_owned(), why }),
        }
    }
    let unseen = left.iter().find_map(|l| match &l.why {
        Why::NotShown { file, line } => Some((file.clone(), *line)),
        _ => None,
    });
    if let Some((file, line)) = unseen {
        let why = Why::ChangeNotShown { file, line };
        left.extend(targets.drain(..).map(|i| Left { uid: graph.reqs[i].uid.clone(), why: why.clone() }));
    }
    Ok((targets, left))
}

/// Requirements unreviewed in the base that the change altered or removed.
fn touched(graph: &Graph, base: &Graph, states: &HashMap<&str, ReviewState>) -> Vec<String> {
    let (fps, base_fps) = (fingerprints(graph), fingerprints(base));
    base.reqs
        .iter()
        .enumerate()
        .filter(|(_, r)| states[r.uid.as_str()] != ReviewState::Reviewed)
        .filter(|(b, r)| graph.index.get(&r.uid).is_none_or(|&i| fps[i] != base_fps[*b]))
        .map(|(_, r)| r.uid.clone())
        .collect()
}

/// UIDs whose review fields the change wrote (a new UID that has any, or any value changed).
fn review_fields_edited(now: &HashMap<&str, (usize, &Node)>, base: &HashMap<&str, (usize, &Node)>) -> Vec<String> {
    let values = |node: &Node| REVIEW_FIELDS.map(|f| node.field(f).map(|v| v.value.trim().to_owned()));
    let mut edited: Vec<String> = now
        .iter()
        .filter(|(uid, (_, node))| match base.get(*uid) {
            Some((_, old)) => values(node) != values(old),
            None => values(node).iter().any(Option::is_some),
        })
        .map(|(uid, _)| (*uid).to_owned())
        .collect();
    edited.sort();
    edited
}

/// The first line of `node` (under `root`) the diff did not show: neither added, nor an unchanged
/// line of `before` (the same requirement's node in the base, if it was reviewed there).
fn not_shown(
    texts: &mut Texts,
    (node, root): (&Node, &Path),
    before: Option<(&Node, &Path)>,
    diff: &Diff,
) -> Result<Option<Why>, RtmError> {
    let now = texts.lines(node, root)?;
    let old = before.map(|(n, r)| texts.lines(n, r)).transpose()?;
    for line in (now.first..=now.last).filter(|&l| !now.skipped(l)) {
        let shown = match (diff.origin(&now.file, line), &old) {
            (Origin::Added, _) => true,
            (Origin::Old { file, line: l }, Some(old)) => *file == old.file && old.covers(l),
            _ => false,
        };
        if !shown {
            return Ok(Some(Why::NotShown { file: now.file, line }));
        }
    }
    Ok(None)
}

/// The lines of a node's own text: its opening tag through its last field or relation (not its
/// children, nor a composite's closing tag), less the fields outside the fingerprint (`MID` and
/// the review fields), which no review covers.
struct Lines {
    file: String,
    first: usize,
    last: usize,
    skip: Vec<(usize, usize)>,
}

impl Lines {
    fn skipped(&self, line: usize) -> bool {
        self.skip.iter().any(|&(a, b)| (a..=b).contains(&line))
    }

    fn covers(&self, line: usize) -> bool {
        (self.first..=self.last).contains(&line) && !self.skipped(line)
    }
}

/// Each document's text, read once.
#[derive(Default)]
struct Texts(HashMap<PathBuf, String>);

impl Texts {
    /// `node`'s own lines; its file as written relative to `root` (`/`-separated; not resolved, so
    /// a node reached through a symlink or from outside the project matches no path in the diff).
    fn lines(&mut self, node: &Node, root: &Path) -> Result<Lines, RtmError> {
        let text = match self.0.get(&*node.file) {
            Some(text) => text,
            None => {
                let text = crate::fsx::read::read_text(&node.file, super::sdoc::MAX_FILE_BYTES as u64)
                    .map_err(|e| RtmError::Input { path: node.file.to_path_buf(), message: e.to_string() })?;
                self.0.entry(node.file.to_path_buf()).or_insert(text)
            }
        };
        let count = |span: Span| {
            text.get(span.start..span.end).unwrap_or("").trim_end_matches(['\n', '\r']).matches('\n').count()
        };
        let last = match node.children.first() {
            Some(child) => child.line.saturating_sub(1),
            None => node.line + count(node.span),
        };
        let skip = node
            .fields
            .iter()
            .filter(|f| f.name == "MID" || REVIEW_FIELDS.contains(&f.name.as_str()))
            .map(|f| (f.line, f.line + count(f.span)))
            .collect();
        let file = match node.file.strip_prefix(root) {
            Ok(rel) => rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"),
            Err(_) => format!("(outside the project) {}", node.file.display()),
        };
        Ok(Lines { file, first: node.line, last, skip })
    }
}

/// Every requirement node, by UID (the nodes the graph holds: not a TEXT or SECTION that
/// carries a UID too), with its document.
pub fn nodes_by_uid(docs: &[Document]) -> HashMap<&str, (usize, &Node)> {
    let mut out = HashMap::new();
    for (d, doc) in docs.iter().enumerate() {
        let mut stack: Vec<&Node> = doc.nodes.iter().collect();
        while let Some(node) = stack.pop() {
            stack.extend(node.children.iter());
            if let Some(uid) = node.uid().filter(|_| !NOT_REQUIREMENTS.contains(&node.tag.as_str())) {
                out.entry(uid.trim()).or_insert((d, node));
            }
        }
    }
    out
}
