//! The parsed shape of a StrictDoc document. Plain data: every check lives in the parser and
//! validator so a caller can trust any `Document` it is handed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Byte offsets into the text of the file the item came from (`start..end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// One `NAME: value` or `NAME: >>>` … `<<<` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    /// Single-line: the text after `NAME: `. Multi-line: the exact lines between the markers,
    /// joined by their original line breaks, without the final one.
    pub value: String,
    pub multiline: bool,
    /// 1-based line of the field name.
    pub line: usize,
    /// The whole field, name and markers included, through its final newline.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelationKind {
    Parent,
    Child,
    File,
}

impl RelationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Parent => "Parent",
            RelationKind::Child => "Child",
            RelationKind::File => "File",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "Parent" => Some(RelationKind::Parent),
            "Child" => Some(RelationKind::Child),
            "File" => Some(RelationKind::File),
            _ => None,
        }
    }
}

/// One entry of a node's `RELATIONS:` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub kind: RelationKind,
    /// The target UID (Parent/Child) or path (File).
    pub value: String,
    pub role: Option<String>,
    /// 1-based line of the `- TYPE:` entry.
    pub line: usize,
}

/// A leaf `[TAG]`, composite `[[TAG]]`, legacy `[SECTION]`, or (only from `parse_str`, which does
/// no I/O) an unresolved `[DOCUMENT_FROM_FILE]` placeholder whose one field is `FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub tag: String,
    /// True for `[[TAG]]` and legacy `[SECTION]`, i.e. nodes that may hold children.
    pub composite: bool,
    /// The file this node was read from; differs from `Document::path` for included nodes.
    /// Shared by every node of the file: a path per node was a fifth of a parsed chain's memory.
    pub file: Arc<Path>,
    /// 1-based position of the opening tag.
    pub line: usize,
    pub col: usize,
    /// From the opening tag through the end of the node (closing tag included), in `file`.
    pub span: Span,
    pub fields: Vec<Field>,
    pub relations: Vec<Relation>,
    /// `[LINK: UID]` references found in field values: (uid, 1-based line).
    pub links: Vec<(String, usize)>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn uid(&self) -> Option<&str> {
        self.field("UID").map(|f| f.value.as_str())
    }

    pub fn title(&self) -> Option<&str> {
        self.field("TITLE").map(|f| f.value.as_str())
    }
}

/// The type of a grammar field, as written after `TYPE:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    String,
    SingleChoice(Vec<String>),
    MultipleChoice(Vec<String>),
    Tag,
    Reference(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrammarField {
    pub name: String,
    pub kind: FieldKind,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrammarElement {
    pub tag: String,
    pub fields: Vec<GrammarField>,
    /// Registered (type, role) pairs; a node may only use these.
    pub relations: Vec<(RelationKind, Option<String>)>,
    /// `PROPERTIES: IS_COMPOSITE:`; `None` when not declared.
    pub composite: Option<bool>,
    /// 1-based line of `- TAG:` (0 for built-in defaults).
    pub line: usize,
}

impl GrammarElement {
    pub fn field(&self, name: &str) -> Option<&GrammarField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grammar {
    pub elements: Vec<GrammarElement>,
    /// The `.sgra` named by `IMPORT_FROM_FILE`, resolved against the document's folder.
    pub imported_from: Option<PathBuf>,
    /// The `[GRAMMAR]` block in the `.sdoc` (through its final newline); `None` for the default.
    pub span: Option<Span>,
}

impl Grammar {
    pub fn element(&self, tag: &str) -> Option<&GrammarElement> {
        self.elements.iter().find(|e| e.tag == tag)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub path: PathBuf,
    pub text: String,
    pub title: String,
    pub uid: Option<String>,
    /// The single-line `[DOCUMENT]` header fields (`TITLE`, `UID`, `VERSION`, …) in file order;
    /// `OPTIONS:`, `METADATA:` and `VIEWS:` blocks are checked but not recorded here.
    pub header: Vec<Field>,
    pub grammar: Grammar,
    pub nodes: Vec<Node>,
    /// Files pulled in by `[DOCUMENT_FROM_FILE]`, transitively, in load order.
    pub includes: Vec<PathBuf>,
}
