//! Hand-written documents covering each construct and each error, with exact positions.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Document, FieldKind, RelationKind, SdocError, load, parse_str};

fn parse(text: &str) -> Result<Document, SdocError> {
    parse_str(Path::new("t.sdoc"), text)
}

#[track_caller]
fn ok(text: &str) -> Document {
    match parse(text) {
        Ok(doc) => doc,
        Err(e) => panic!("unexpected error:\n{e}"),
    }
}

/// Asserts an error at `line:col` whose `expected` part contains `expected`.
#[track_caller]
fn err(text: &str, line: usize, col: usize, expected: &str) -> SdocError {
    let e = match parse(text) {
        Ok(_) => panic!("expected an error containing {expected:?}"),
        Err(e) => e,
    };
    assert_eq!((e.line, e.col), (line, col), "position of:\n{e}");
    assert!(e.expected.contains(expected), "expected part {:?} lacks {expected:?}:\n{e}", e.expected);
    e
}

const GRAMMAR: &str = "[DOCUMENT]\nTITLE: G\n\n[GRAMMAR]\nELEMENTS:\n- TAG: SECTION\n  PROPERTIES:\n    IS_COMPOSITE: True\n  FIELDS:\n  - TITLE: TITLE\n    TYPE: String\n    REQUIRED: True\n- TAG: REQ\n  FIELDS:\n  - TITLE: UID\n    TYPE: String\n    REQUIRED: True\n  - TITLE: KIND\n    TYPE: SingleChoice(Functional, Non-Functional)\n    REQUIRED: False\n  - TITLE: VERIF\n    HUMAN_TITLE: Verification\n    TYPE: MultipleChoice(Test, Review)\n    REQUIRED: False\n  - TITLE: LABELS\n    TYPE: Tag\n    REQUIRED: False\n  - TITLE: STATEMENT\n    TYPE: String\n    REQUIRED: False\n  RELATIONS:\n  - TYPE: Parent\n  - TYPE: Parent\n    ROLE: Refines\n  - TYPE: File\n";

fn with_grammar(body: &str) -> String {
    format!("{GRAMMAR}\n{body}")
}

#[test]
fn header_fields_and_blocks() {
    let doc = ok(
        "[DOCUMENT]\nMID: abc\nTITLE: Hello\nUID: DOC-1\nVERSION: 1.0\nDATE: today\nCLASSIFICATION: Public\nREQ_PREFIX: R-\nROOT: True\nOPTIONS:\n  ENABLE_MID: True\n  MARKUP: RST\n  AUTO_LEVELS: Off\nMETADATA:\n  owner: QA\n  review-id: 7\nVIEWS:\n- ID: V\n  TAGS:\n  - OBJECT_TYPE: REQUIREMENT\n",
    );
    assert_eq!(doc.title, "Hello");
    assert_eq!(doc.uid.as_deref(), Some("DOC-1"));
    let names: Vec<&str> = doc.header.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["MID", "TITLE", "UID", "VERSION", "DATE", "CLASSIFICATION", "REQ_PREFIX", "ROOT"]);
    assert!(doc.nodes.is_empty());
    assert_eq!(doc.grammar.span, None);
}

#[test]
fn header_errors() {
    err("[DOCUMENT]\nTITLE: T\nCOLOR: red\n", 3, 1, "a [DOCUMENT] field");
    err("[DOCUMENT]\nTITLE: T\nVERSION: 1\nUID: X\n", 4, 1, "StrictDoc's order");
    err("[DOCUMENT]\nUID: X\n", 2, 1, "`TITLE:`");
    err("[DOCUMENT]\n", 2, 1, "`TITLE:`");
    err("TITLE: T\n", 1, 1, "`[DOCUMENT]`");
    err("", 1, 1, "`[DOCUMENT]`");
    err("[DOCUMENT]\nTITLE: T\nOPTIONS:\n  MARKUP: Word\n", 4, 11, "one of RST");
    err("[DOCUMENT]\nTITLE: T\nOPTIONS:\n  COLOR: red\n", 4, 3, "a known document option");
    err("[DOCUMENT]\nTITLE: T\nROOT: yes\n", 3, 7, "`True` or `False`");
    err("[DOCUMENT]\nTITLE: T\nMETADATA:\n  bad key: x\n", 4, 3, "metadata");
}

#[test]
fn default_grammar_nodes_fields_and_links() {
    let text = "[DOCUMENT]\nTITLE: T\n\n[TEXT]\nSTATEMENT: Intro, see [LINK: REQ-1].\n\n[REQUIREMENT]\nUID: REQ-1\nSTATUS: Draft\nTITLE: First\nSTATEMENT: >>>\nLine one\n\nLine three [LINK: SEC-1] and [LINK: REQ-2]\n<<<\nCOMMENT: c1\nCOMMENT: c2\nRELATIONS:\n- TYPE: Parent\n  VALUE: SYS-1\n- TYPE: File\n  FORMAT: Sourcecode\n  VALUE: src/lib.rs\n  LINE_RANGE: 1, 5\n";
    let doc = ok(text);
    assert_eq!(doc.nodes.len(), 2);
    let text_node = &doc.nodes[0];
    assert_eq!((text_node.tag.as_str(), text_node.line, text_node.col), ("TEXT", 4, 1));
    assert_eq!(text_node.links, vec![("REQ-1".to_string(), 5)]);
    let req = &doc.nodes[1];
    assert_eq!(req.uid(), Some("REQ-1"));
    assert_eq!(req.title(), Some("First"));
    let st = req.field("STATEMENT").expect("statement");
    assert!(st.multiline);
    assert_eq!(st.value, "Line one\n\nLine three [LINK: SEC-1] and [LINK: REQ-2]");
    assert_eq!(
        &text[st.span.start..st.span.end],
        "STATEMENT: >>>\nLine one\n\nLine three [LINK: SEC-1] and [LINK: REQ-2]\n<<<\n"
    );
    assert_eq!(req.links, vec![("SEC-1".to_string(), 14), ("REQ-2".to_string(), 14)]);
    assert_eq!(req.relations.len(), 2);
    assert_eq!(req.relations[0].kind, RelationKind::Parent);
    assert_eq!(req.relations[0].value, "SYS-1");
    assert_eq!(req.relations[0].line, 19);
    assert_eq!(req.relations[1].kind, RelationKind::File);
    assert_eq!(req.relations[1].value, "src/lib.rs");
    assert_eq!(&text[req.span.start..req.span.end], &text[text.find("[REQUIREMENT]").unwrap_or(0)..]);
    assert_eq!(req.fields.iter().filter(|f| f.name == "COMMENT").count(), 2);
}

#[test]
fn composite_and_legacy_sections_nest() {
    let text = "[DOCUMENT]\nTITLE: T\n\n[[SECTION]]\nTITLE: Outer\n\n[SECTION]\nUID: S-2\nTITLE: Legacy\n\n[REQUIREMENT]\nUID: R-1\n\n[/SECTION]\n\n[[SECTION]]\nTITLE: Inner\n\n[[/SECTION]]\n\n[[/SECTION]]\n\n[REQUIREMENT]\nUID: R-2\n";
    let doc = ok(text);
    assert_eq!(doc.nodes.len(), 2);
    let outer = &doc.nodes[0];
    assert!(outer.composite);
    assert_eq!(outer.children.len(), 2);
    assert_eq!(outer.children[0].children[0].uid(), Some("R-1"));
    let inner = &outer.children[1];
    assert_eq!(&text[inner.span.start..inner.span.end], "[[SECTION]]\nTITLE: Inner\n\n[[/SECTION]]\n");
    assert!(text[outer.span.start..outer.span.end].ends_with("[[/SECTION]]\n\n[[/SECTION]]\n"));
}

#[test]
fn custom_grammar_is_parsed_and_enforced() {
    let doc = ok(&with_grammar(
        "[[SECTION]]\nTITLE: S\n\n[REQ]\nUID: A-1\nKIND: Functional\nVERIF: Test, Review\nLABELS: safety, io\nSTATEMENT: x\nRELATIONS:\n- TYPE: Parent\n  VALUE: B-1\n  ROLE: Refines\n\n[[/SECTION]]\n",
    ));
    let req = doc.grammar.element("REQ").expect("REQ element");
    assert_eq!(req.fields[1].kind, FieldKind::SingleChoice(vec!["Functional".into(), "Non-Functional".into()]));
    assert_eq!(req.fields[2].kind, FieldKind::MultipleChoice(vec!["Test".into(), "Review".into()]));
    assert_eq!(req.fields[3].kind, FieldKind::Tag);
    assert!(req.fields[0].required);
    assert!(req.relations.contains(&(RelationKind::Parent, Some("Refines".into()))));
    let span = doc.grammar.span.expect("grammar span");
    assert!(doc.text[span.start..span.end].starts_with("[GRAMMAR]\n"));
    assert!(doc.text[span.start..span.end].ends_with("  - TYPE: File\n"));
    assert_eq!(doc.nodes[0].children[0].relations[0].role.as_deref(), Some("Refines"));
    // Elements the grammar omits fall back to StrictDoc's defaults.
    assert!(doc.grammar.element("TEXT").is_some());
}

#[test]
fn grammar_violations() {
    let base = GRAMMAR.lines().count() + 2;
    err(&with_grammar("[FOO]\nUID: A\n"), base, 1, "a node type declared by the grammar");
    err(&with_grammar("[REQ]\nUID: A\nCOLOR: red\n"), base + 2, 1, "a field of `REQ`");
    err(&with_grammar("[REQ]\nSTATEMENT: x\nUID: A\n"), base + 2, 1, "grammar's order");
    err(
        &with_grammar("[REQ]\nUID: A\nKIND: Functional\nSTATEMENT: x\nKIND: Functional\n"),
        base + 4,
        1,
        "repeated field",
    );
    err(&with_grammar("[REQ]\nSTATEMENT: x\n"), base, 1, "required field `UID`");
    err(&with_grammar("[REQ]\nUID: A\nKIND: Other\n"), base + 2, 7, "one of Functional, Non-Functional");
    err(&with_grammar("[REQ]\nUID: A\nVERIF: Test,Review\n"), base + 2, 8, "`, `-separated list");
    err(&with_grammar("[REQ]\nUID: A\nLABELS: a#b\n"), base + 2, 9, "list of tags");
    err(&with_grammar("[REQ]\nUID: A\nKIND: >>>\nFunctional\n<<<\n"), base + 2, 7, "single-line value");
    err(
        &with_grammar("[REQ]\nUID: A\nRELATIONS:\n- TYPE: Child\n  VALUE: B\n"),
        base + 3,
        1,
        "a relation registered for `REQ`",
    );
    err(
        &with_grammar("[REQ]\nUID: A\nRELATIONS:\n- TYPE: Parent\n  VALUE: B\n  ROLE: Implements\n"),
        base + 3,
        1,
        "registered",
    );
    ok(&with_grammar("[SECTION]\nTITLE: S\n\n[/SECTION]\n"));
}

#[test]
fn composite_property_is_enforced() {
    let grammar = |composite: &str| {
        format!(
            "[DOCUMENT]\nTITLE: T\n\n[GRAMMAR]\nELEMENTS:\n- TAG: CHAPTER\n  PROPERTIES:\n    IS_COMPOSITE: {composite}\n  FIELDS:\n  - TITLE: TITLE\n    TYPE: String\n    REQUIRED: True\n"
        )
    };
    err(&format!("{}\n[CHAPTER]\nTITLE: C\n", grammar("True")), 14, 1, "`[[CHAPTER]]`");
    err(&format!("{}\n[[CHAPTER]]\nTITLE: C\n\n[[/CHAPTER]]\n", grammar("False")), 14, 1, "`[CHAPTER]`");
    let doc = ok(&format!("{}\n[[CHAPTER]]\nTITLE: C\n\n[TEXT]\nSTATEMENT: t\n\n[[/CHAPTER]]\n", grammar("True")));
    assert_eq!(doc.nodes[0].children[0].tag, "TEXT");
}

#[test]
fn choice_placeholders_and_quoted_options() {
    let g = "[DOCUMENT]\nTITLE: T\n\n[GRAMMAR]\nELEMENTS:\n- TAG: REQ\n  FIELDS:\n  - TITLE: C\n    TYPE: SingleChoice(\"A(B)\", \"X, Y\", Plain)\n    REQUIRED: True\n  - TITLE: STATEMENT\n    TYPE: String\n    REQUIRED: False\n";
    let doc = ok(&format!("{g}\n[REQ]\nC: X, Y\n\n[REQ]\nC: TBD\n"));
    let kind = &doc.grammar.element("REQ").expect("REQ").fields[0].kind;
    assert_eq!(kind, &FieldKind::SingleChoice(vec!["A(B)".into(), "X, Y".into(), "Plain".into()]));
}

#[test]
fn grammar_block_errors() {
    let head = "[DOCUMENT]\nTITLE: T\n\n[GRAMMAR]\n";
    err(&format!("{head}ELEMENTS:\n- TAG: lower\n"), 6, 1, "`- TAG: NAME`");
    err(
        &format!("{head}ELEMENTS:\n- TAG: X\n  FIELDS:\n  - TITLE: TITLE\n    TYPE: Text\n    REQUIRED: True\n"),
        9,
        11,
        "`String`",
    );
    err(
        &format!("{head}ELEMENTS:\n- TAG: X\n  FIELDS:\n  - TITLE: TITLE\n    TYPE: String\n    REQUIRED: Yes\n"),
        10,
        15,
        "`True` or `False`",
    );
    err(
        &format!("{head}ELEMENTS:\n- TAG: X\n  FIELDS:\n  - TITLE: COLOR\n    TYPE: String\n    REQUIRED: True\n"),
        6,
        8,
        "TITLE, STATEMENT",
    );
    err(
        &format!(
            "{head}ELEMENTS:\n- TAG: SECTION\n  PROPERTIES:\n    IS_COMPOSITE: False\n  FIELDS:\n  - TITLE: TITLE\n    TYPE: String\n    REQUIRED: True\n"
        ),
        6,
        8,
        "declared as composite",
    );
    err(&format!("{head}IMPORT_FROM_FILE: ../g.sgra\n"), 5, 19, "a file name in the document's folder");
    err(&format!("{head}STUFF\n"), 5, 1, "`ELEMENTS:` or `IMPORT_FROM_FILE");
    let doc = ok(&format!("{head}IMPORT_FROM_FILE: g.sgra\n\n[ANYTHING]\nX: y\n"));
    assert_eq!(doc.grammar.imported_from, Some(PathBuf::from("g.sgra")));
    assert!(doc.grammar.elements.is_empty());
}

#[test]
fn field_syntax_errors() {
    let e = err("[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nSTATEMENT:\n", 5, 11, "`>>>` or a value after `STATEMENT:`");
    assert_eq!(e.found, "end of line");
    let shown = e.to_string();
    assert!(
        shown
            .starts_with("error: expected `>>>` or a value after `STATEMENT:`, found end of line\n  --> t.sdoc:5:11\n"),
        "{shown}"
    );
    assert!(shown.contains("\n  |\n5 | STATEMENT:\n  |           ^\n  = help: "), "{shown}");
    err("[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nSTATEMENT: \n", 5, 12, "`>>>` or a value");
    err("[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nSTATEMENT:  x\n", 5, 12, "non-space");
    err("[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nSTATEMENT:x\n", 5, 11, "`>>>` or a value");
    err("[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nSTATEMENT: >>>\n<<<\n", 6, 1, "text inside the multi-line");
    err("[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nSTATEMENT: >>>\n  \n<<<\n", 7, 1, "text inside the multi-line");
    err("[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nSTATEMENT: >>>\ntext\n", 7, 1, "`<<<` closing");
    err("[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nSTATEMENT: >>>\ntext\n<<< x\n", 7, 4, "end of line after `<<<`");
    err("[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nstatus: x\n", 5, 1, "a field `NAME: value`");
    err("[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nUID: bad!uid\n", 5, 6, "a UID");
    err(
        "[DOCUMENT]\nTITLE: T\n\n[TEXT]\nSTATEMENT: >>>\n[ANCHOR: A-1, Un, quoted]\n<<<\n",
        6,
        17,
        "`]` closing the anchor",
    );
    ok("[DOCUMENT]\nTITLE: T\n\n[TEXT]\nSTATEMENT: >>>\n[ANCHOR: A-1, \"Quoted, title\"]\n<<<\n");
}

#[test]
fn relation_syntax_errors() {
    let head = "[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nUID: A\nRELATIONS:\n";
    err(&format!("{head}- TYPE: Sibling\n  VALUE: B\n"), 7, 9, "`- TYPE: Parent`");
    err(&format!("{head}- TYPE: Parent\n"), 7, 1, "`  VALUE:`");
    err(&format!("{head}- TYPE: Parent\n  COLOR: B\n"), 8, 3, "`  VALUE: UID`");
    err(&format!("{head}\n"), 7, 1, "a relation `- TYPE");
    err(&format!("{head}- TYPE: Parent\n  VALUE: B\nTITLE: late\n"), 9, 1, "a relation `- TYPE: ...` or a blank line");
}

#[test]
fn layout_errors() {
    err("[DOCUMENT]\nTITLE: T\n\n[TEXT]\nSTATEMENT: a\n[TEXT]\nSTATEMENT: b\n", 6, 1, "a field `NAME: value`");
    err(
        "[DOCUMENT]\nTITLE: T\n\n[TEXT]\nSTATEMENT: a\n\n\n[TEXT]\nSTATEMENT: b\n",
        7,
        1,
        "a node after one blank line",
    );
    err("[DOCUMENT]\nTITLE: T\n\nfree text\n", 4, 1, "a node such as");
    err("[DOCUMENT]\nTITLE: T\n\n[[SECTION]]\nTITLE: S\n\n[[/CHAPTER]]\n", 7, 1, "`[[/SECTION]]`");
    err("[DOCUMENT]\nTITLE: T\n\n[[SECTION]]\nTITLE: S\n", 6, 1, "`[[/SECTION]]`");
    err("[DOCUMENT]\nTITLE: T\n\n[/SECTION]\n", 4, 1, "nothing is open");
    let e = err("[DOCUMENT]\nTITLE: T\n\n[TEXT]\nSTATEMENT: a\n\n[GRAMMAR]\n", 7, 1, "a node such as");
    assert!(e.help.unwrap_or_default().contains("right after the [DOCUMENT] header"));
    // Trailing blank lines and a missing final newline are tolerated.
    ok("[DOCUMENT]\nTITLE: T\n\n[TEXT]\nSTATEMENT: a\n\n\n");
    ok("[DOCUMENT]\r\nTITLE: T\r\n\r\n[TEXT]\r\nSTATEMENT: a");
}

#[test]
fn nesting_limit_is_an_error_not_a_crash() {
    let mut text = String::from("[DOCUMENT]\nTITLE: T\n");
    for _ in 0..200 {
        text.push_str("\n[[SECTION]]\nTITLE: S\n");
    }
    let e = err(&text, 4 + 64 * 3, 1, "at most 64 levels");
    assert_eq!(e.found, "one level more");
    let mut ok_text = String::from("[DOCUMENT]\nTITLE: T\n");
    for _ in 0..64 {
        ok_text.push_str("\n[[SECTION]]\nTITLE: S\n");
    }
    for _ in 0..64 {
        ok_text.push_str("\n[[/SECTION]]\n");
    }
    ok(&ok_text);
}

#[test]
fn hostile_inputs_do_not_panic() {
    let samples = [
        "[",
        "[[",
        "[[/]]",
        "[DOCUMENT]\nTITLE: é\n\n[É]\n",
        "[DOCUMENT]\nTITLE: T\n\n[TEXT]\nSTATEMENT: >>>\n[ANCHOR: ",
        "\u{feff}[DOCUMENT]",
        "[DOCUMENT]\nTITLE: T\n\n[REQUIREMENT]\nRELATIONS:\n- TYPE: File\n  é: x\n",
        "[DOCUMENT]\nTITLE: T\n\n[GRAMMAR]\nELEMENTS:\n- TAG: X\n  FIELDS:\n  - TITLE: TITLE\n    TYPE: SingleChoice(\"\n",
    ];
    for s in samples {
        let _ = parse(s);
        for cut in 0..s.len() {
            if let Some(prefix) = s.get(..cut) {
                let _ = parse(prefix);
            }
        }
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdoc-test-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

#[test]
fn load_resolves_grammar_and_includes() {
    let dir = scratch_dir("includes");
    fs::write(dir.join("g.sgra"), "[GRAMMAR]\nELEMENTS:\n- TAG: REQ\n  FIELDS:\n  - TITLE: UID\n    TYPE: String\n    REQUIRED: True\n  - TITLE: STATEMENT\n    TYPE: String\n    REQUIRED: False\n").expect("write");
    fs::write(
        dir.join("part.sdoc"),
        "[DOCUMENT]\nTITLE: Part\n\n[GRAMMAR]\nIMPORT_FROM_FILE: g.sgra\n\n[REQ]\nUID: P-1\n",
    )
    .expect("write");
    fs::write(dir.join("main.sdoc"), "[DOCUMENT]\nTITLE: Main\n\n[GRAMMAR]\nIMPORT_FROM_FILE: g.sgra\n\n[REQ]\nUID: M-1\n\n[[SECTION]]\nTITLE: S\n\n[DOCUMENT_FROM_FILE]\nFILE: part.sdoc\n\n[[/SECTION]]\n\n[REQ]\nUID: M-2\n").expect("write");
    let doc = load(&dir.join("main.sdoc")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.includes, vec![dir.join("part.sdoc")]);
    assert_eq!(doc.grammar.imported_from, Some(dir.join("g.sgra")));
    let spliced = &doc.nodes[1].children[0];
    assert_eq!(spliced.uid(), Some("P-1"));
    assert_eq!(&*spliced.file, dir.join("part.sdoc").as_path());
    assert_eq!(spliced.line, 7);
    assert_eq!(doc.nodes[2].uid(), Some("M-2"));
    // parse_str keeps the placeholder and skips grammar checks it cannot make.
    let text = fs::read_to_string(dir.join("main.sdoc")).expect("read");
    let raw = parse_str(&dir.join("main.sdoc"), &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(raw.nodes[1].children[0].tag, "DOCUMENT_FROM_FILE");
    // The imported grammar is enforced by load.
    fs::write(
        dir.join("bad.sdoc"),
        "[DOCUMENT]\nTITLE: Bad\n\n[GRAMMAR]\nIMPORT_FROM_FILE: g.sgra\n\n[REQ]\nSTATEMENT: x\n",
    )
    .expect("write");
    let e = load(&dir.join("bad.sdoc")).expect_err("missing UID");
    assert_eq!((e.line, e.col), (7, 1));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn load_errors_for_includes() {
    let dir = scratch_dir("cycles");
    fs::write(dir.join("a.sdoc"), "[DOCUMENT]\nTITLE: A\n\n[DOCUMENT_FROM_FILE]\nFILE: b.sdoc\n").expect("write");
    fs::write(dir.join("b.sdoc"), "[DOCUMENT]\nTITLE: B\n\n[DOCUMENT_FROM_FILE]\nFILE: a.sdoc\n").expect("write");
    let e = load(&dir.join("a.sdoc")).expect_err("cycle");
    let shown = e.to_string();
    assert!(shown.contains("a.sdoc") && shown.contains("b.sdoc"), "{shown}");
    assert_eq!((e.line, e.col), (5, 7));
    assert!(e.file.ends_with("b.sdoc"));

    fs::write(dir.join("c.sdoc"), "[DOCUMENT]\nTITLE: C\n\n[DOCUMENT_FROM_FILE]\nFILE: missing.sdoc\n").expect("write");
    let e = load(&dir.join("c.sdoc")).expect_err("missing");
    assert!(e.expected.contains("an existing document file"));
    fs::write(dir.join("d.sdoc"), "[DOCUMENT]\nTITLE: D\n\n[DOCUMENT_FROM_FILE]\nFILE: x.txt\n").expect("write");
    assert!(load(&dir.join("d.sdoc")).expect_err("ext").expected.contains(".sdoc"));
    fs::write(dir.join("e.sdoc"), "[DOCUMENT]\nTITLE: E\n\n[GRAMMAR]\nIMPORT_FROM_FILE: none.sgra\n").expect("write");
    let e = load(&dir.join("e.sdoc")).expect_err("no grammar");
    assert_eq!((e.line, e.col), (5, 19));
    assert_eq!(load(&dir.join("nope.sdoc")).expect_err("io").line, 0);

    // A chain of 20 includes exceeds the depth limit.
    for i in 0..20 {
        let body = format!("[DOCUMENT]\nTITLE: {i}\n\n[DOCUMENT_FROM_FILE]\nFILE: n{}.sdoc\n", i + 1);
        fs::write(dir.join(format!("n{i}.sdoc")), body).expect("write");
    }
    fs::write(dir.join("n20.sdoc"), "[DOCUMENT]\nTITLE: end\n").expect("write");
    let e = load(&dir.join("n0.sdoc")).expect_err("too deep");
    assert!(e.expected.contains("at most 16 levels"), "{e}");
    let _ = fs::remove_dir_all(&dir);
}
