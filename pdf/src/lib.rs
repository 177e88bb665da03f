//! The evidence report as archival PDF/A, typeset by typst used as a library (docs/ARCHITECTURE.md §6).
//!
//! The template is typst markup that reads the report model with `json("report.json")`, the same
//! `signet.report/v1` model the HTML report is rendered from. The typst world this crate builds is
//! closed: the only files are the template, `report.json`, `attachments.json` (name, MIME type,
//! description and size of each [`Attachment`]) and `attachments/<name>` (their bytes); the only
//! fonts are the ones compiled into `typst-assets`; "today" is `created_utc`; packages are refused.
//! Identical input therefore gives a byte-identical PDF, on any machine.
//!
//! Flavour: PDF/A-3b when there are attachments (only PDF/A-3 permits embedded files), PDF/A-2b
//! otherwise, so a report without attachments is accepted by archives that take only PDF/A-2. Both
//! are tagged PDF. The PDF's creation date and its first file identifier are pinned to
//! `created_utc` and to the model's `document.document_id`, so every revision of one report shares
//! its first identifier.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, PackageError, Severity, SourceDiagnostic};
use typst::ecow::{EcoVec, eco_format};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{DiagSpan, FileId, Lines, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

/// A file embedded in the PDF (PDF/A-3 "associated file", relationship `Supplement`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name inside the PDF; a plain name, no `/` or `\`. Must be listed in the model's `attachments`.
    pub name: String,
    /// MIME type, e.g. `application/json`.
    pub mime: String,
    /// What the file is, shown by PDF readers next to the name.
    pub description: String,
    /// The file's bytes, embedded unchanged.
    pub data: Vec<u8>,
}

/// Everything a render depends on; nothing else (clock, fonts on the machine, network) is read.
#[derive(Debug, Clone, Copy)]
pub struct PdfInput<'a> {
    /// Typst markup, e.g. `templates/evidence-report.typ` or a `--templates` override.
    pub template: &'a str,
    /// The report model (`signet.report/v1`), served to the template as `report.json`.
    pub model_json: &'a [u8],
    /// Files to embed; their names must be exactly the names in the model's `attachments` list.
    pub attachments: &'a [Attachment],
    /// RFC 3339 UTC time, `YYYY-MM-DDTHH:MM:SS[.frac]Z`: the PDF's creation date and typst's "today".
    pub created_utc: &'a str,
}

/// Why no PDF was produced.
#[derive(Debug)]
pub enum PdfError {
    /// `created_utc` is not an RFC 3339 UTC timestamp.
    Timestamp(String),
    /// `model_json` is not JSON, or not the shape the metadata needs.
    Model(String),
    /// An attachment's name is unusable, repeated, or disagrees with the model's list.
    Attachment(String),
    /// Typst's errors: in the template (or a file it read), or a PDF/A rule the document breaks.
    Typst(Vec<Diagnostic>),
    /// Typst panicked (a bug in typst); caught so that the caller reports it instead of crashing.
    Internal(String),
}

/// One typst error, located in the template (file `template.typ`) or a data file such as `report.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `template.typ`, `report.json`, …; `None` if typst gave no location.
    pub file: Option<String>,
    /// 1-based line and column (in characters) of the start of the offending code; 0 without a file.
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// typst's hints, then the calls that led to the error ("error occurred while calling `f` at template.typ:12:3").
    pub hints: Vec<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{file}:{}:{}: error: {}", self.line, self.column, self.message)?,
            None => write!(f, "error: {}", self.message)?,
        }
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timestamp(msg) => write!(f, "PDF creation time: {msg}"),
            Self::Model(msg) => write!(f, "report.json: {msg}"),
            Self::Attachment(msg) => write!(f, "PDF attachment: {msg}"),
            Self::Typst(diags) => {
                write!(f, "PDF template failed ({} error{})", diags.len(), if diags.len() == 1 { "" } else { "s" })?;
                diags.iter().try_for_each(|d| write!(f, "\n{d}"))
            }
            Self::Internal(msg) => write!(f, "PDF renderer crashed (a typst bug): {msg}"),
        }
    }
}

impl std::error::Error for PdfError {}

/// Renders the template over the model into a PDF/A file.
///
/// Deterministic: the same input gives the same bytes. Never panics; every problem is a [`PdfError`].
/// Typst's warnings (e.g. an unknown font family, which falls back to a built-in font) are not errors.
pub fn render(input: &PdfInput) -> Result<Vec<u8>, PdfError> {
    let created = parse_utc(input.created_utc)?;
    // Parsed here only for what the PDF's metadata needs; dropped before typst parses its own copy.
    let ident = {
        let model: serde_json::Value =
            serde_json::from_slice(input.model_json).map_err(|e| PdfError::Model(format!("not valid JSON: {e}")))?;
        check_attachments(&model, input.attachments)?;
        model.pointer("/document/document_id").and_then(|v| v.as_str()).map(str::to_owned)
    };
    let world = ReportWorld::new(input, created)?;

    let standard = if input.attachments.is_empty() { PdfStandard::A_2b } else { PdfStandard::A_3b };
    let options = PdfOptions {
        // The first PDF file identifier: stable across revisions of one report, distinct between reports.
        ident: ident.map_or(Smart::Auto, Smart::Custom),
        creator: Smart::Custom(Some(format!("Signet {} (typst)", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(Timestamp::new_utc(created)),
        standards: PdfStandards::new(&[standard]).map_err(|e| PdfError::Internal(e.message().to_string()))?,
        ..PdfOptions::default()
    };

    // typst is meant not to panic, but a user's template reaches corners of it we have not tested.
    let result = catch_unwind(AssertUnwindSafe(|| {
        let document = typst::compile(&world).output.map_err(|errors| world.diagnostics(&errors))?;
        typst_pdf::pdf(&document, &options).map_err(|errors| world.diagnostics(&errors))
    }));
    // typst memoises across calls; a report is rendered once, so keep no cache alive after it.
    typst::comemo::evict(0);
    match result {
        Ok(pdf) => pdf.map_err(PdfError::Typst),
        Err(panic) => Err(PdfError::Internal(
            panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into()),
        )),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.frac]Z` → typst datetime (the fraction is dropped: PDF dates have seconds).
fn parse_utc(s: &str) -> Result<Datetime, PdfError> {
    let bad = || PdfError::Timestamp(format!("{s:?} is not an RFC 3339 UTC time like 2026-11-20T10:15:00Z"));
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if b.len() < 20 || b.last() != Some(&b'Z') || separators.iter().any(|&(i, c)| b[i] != c) {
        return Err(bad());
    }
    let frac = &b[19..b.len() - 1];
    if !(frac.is_empty() || (frac.len() > 1 && frac[0] == b'.' && frac[1..].iter().all(u8::is_ascii_digit))) {
        return Err(bad());
    }
    let field = |r, max: u32| digits(r).filter(|&n| n <= max).and_then(|n| u8::try_from(n).ok());
    let year = digits(0..4).and_then(|y| i32::try_from(y).ok()).ok_or_else(bad)?;
    let (month, day) = (field(5..7, 12).ok_or_else(bad)?, field(8..10, 31).ok_or_else(bad)?);
    let (hour, minute, second) =
        (field(11..13, 23).ok_or_else(bad)?, field(14..16, 59).ok_or_else(bad)?, field(17..19, 59).ok_or_else(bad)?);
    Datetime::from_ymd_hms(year, month, day, hour, minute, second).ok_or_else(bad)
}

/// The embedded files and the files the report lists must be the same set: a report must not name a file
/// the PDF does not carry, nor carry one it does not name.
fn check_attachments(model: &serde_json::Value, attachments: &[Attachment]) -> Result<(), PdfError> {
    let mut given: Vec<&str> = Vec::new();
    for a in attachments {
        let plain = !a.name.is_empty()
            && a.name != "."
            && a.name != ".."
            && !a.name.chars().any(|c| c == '/' || c == '\\' || c.is_control());
        if !plain {
            return Err(PdfError::Attachment(format!("{:?} is not a plain file name", a.name)));
        }
        if given.contains(&a.name.as_str()) {
            return Err(PdfError::Attachment(format!("{:?} is given twice", a.name)));
        }
        given.push(&a.name);
    }
    let listed: Vec<&str> = match model.get("attachments") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(list)) => list
            .iter()
            .map(|entry| entry.get("name").and_then(|n| n.as_str()))
            .collect::<Option<_>>()
            .ok_or_else(|| PdfError::Model("every entry of \"attachments\" needs a string \"name\"".into()))?,
        Some(_) => return Err(PdfError::Model("\"attachments\" is not a list".into())),
    };
    if let Some(name) = listed.iter().find(|n| !given.contains(n)) {
        return Err(PdfError::Attachment(format!("report.json lists {name:?} but its bytes were not given")));
    }
    if let Some(name) = given.iter().find(|n| !listed.contains(n)) {
        return Err(PdfError::Attachment(format!("{name:?} was given but report.json does not list it")));
    }
    Ok(())
}

/// Fonts compiled into the binary: the PDF looks the same whatever is installed on the machine.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The closed typst world of one render.
struct ReportWorld {
    main: Source,
    files: Vec<(FileId, Bytes)>,
    today: Datetime,
}

fn project_file(path: &str) -> Result<FileId, PdfError> {
    let vpath = VirtualPath::new(path).map_err(|e| PdfError::Attachment(format!("{path:?}: {e}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl ReportWorld {
    fn new(input: &PdfInput, today: Datetime) -> Result<Self, PdfError> {
        let main = Source::new(project_file("template.typ")?, input.template.to_owned());
        let mut files = vec![(project_file("report.json")?, Bytes::new(input.model_json.to_vec()))];
        let mut listing = String::from("[");
        for (i, a) in input.attachments.iter().enumerate() {
            let entry = format!(
                "{{\"name\":{},\"mime\":{},\"description\":{},\"size\":{},\"file\":{}}}",
                json_str(&a.name),
                json_str(&a.mime),
                json_str(&a.description),
                a.data.len(),
                json_str(&format!("attachments/{}", a.name)),
            );
            listing += if i == 0 { "" } else { "," };
            listing += &entry;
            files.push((project_file(&format!("attachments/{}", a.name))?, Bytes::new(a.data.clone())));
        }
        listing += "]";
        files.push((project_file("attachments.json")?, Bytes::from_string(listing)));
        Ok(Self { main, files, today })
    }

    /// typst's errors with line:column in the file they point into.
    fn diagnostics(&self, errors: &EcoVec<SourceDiagnostic>) -> Vec<Diagnostic> {
        errors
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                let (file, line, column) = self.locate(d.span);
                let mut hints: Vec<String> = d.hints.iter().map(|h| h.v.to_string()).collect();
                for point in &d.trace {
                    let (file, line, column) = self.locate(point.span.into());
                    let at = file.map(|f| format!(" at {f}:{line}:{column}")).unwrap_or_default();
                    hints.push(format!("error occurred {}{at}", point.v));
                }
                Diagnostic { file, line, column, message: d.message.to_string(), hints }
            })
            .collect()
    }

    fn locate(&self, span: DiagSpan) -> (Option<String>, usize, usize) {
        let Some((id, range)) = span.id().zip(self.range(span)) else { return (None, 0, 0) };
        let position = if id == self.main.id() {
            self.main.lines().byte_to_line_column(range.start)
        } else {
            let text = self.file(id).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            Lines::new(text).byte_to_line_column(range.start)
        };
        let (line, column) = position.map_or((0, 0), |(l, c)| (l + 1, c + 1));
        (Some(id.vpath().get_without_slash().to_owned()), line, column)
    }
}

/// A JSON string literal; the listing is built by hand to keep serde's derive out of this crate.
fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn no_packages(id: FileId) -> FileResult<()> {
    match id.root() {
        VirtualRoot::Project => Ok(()),
        VirtualRoot::Package(spec) => Err(FileError::Package(PackageError::Other(Some(eco_format!(
            "{spec} cannot be used: the report template must be self-contained (no packages)"
        ))))),
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        no_packages(id)?;
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if self.files.iter().any(|(f, _)| *f == id) {
            Err(FileError::NotSource)
        } else {
            Err(FileError::NotFound(id.vpath().get_with_slash().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        no_packages(id)?;
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        let found = self.files.iter().find(|(f, _)| *f == id);
        found.map(|(_, bytes)| bytes.clone()).ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, offset: Option<Duration>) -> Option<Datetime> {
        // "Local" is UTC: the report must not depend on where it is rendered. Offsets beyond a day are
        // refused rather than risk an overflow in date arithmetic.
        let shifted = match offset {
            None => self.today,
            Some(d) if d.seconds().abs() <= 86_400.0 => self.today + d,
            Some(_) => return None,
        };
        Datetime::from_ymd(shifted.year()?, shifted.month()?, shifted.day()?)
    }
}
