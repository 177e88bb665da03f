//! What the gate tells: one finding per thing wrong, ranked. The most important [`SHOWN`] are
//! kept whole and the rest only counted: every requirement's state and causes are already in
//! `index.json`, `rtm.html` and `rtm-junit.xml`, and a finding per requirement kept and
//! printed again was 150 MB of a 200,000-deep chain's run (issue #19).

/// How many findings are kept whole, most important first.
pub const SHOWN: usize = 1_000;

/// One thing the gate tells, at a requirement's (or a test's) line.
#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: FindingKind,
    pub file: String,
    pub line: usize,
    pub message: String,
    /// Lower is more important (failed tests first).
    pub rank: u8,
    pub blocking: bool,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// A requirement whose linked tests fail.
    Failed,
    /// A requirement not reviewed since it (or an ancestor) changed.
    Review,
    /// A requirement with no passing linked test.
    Unverified,
    /// A test that names a requirement no document defines.
    OrphanLink,
    /// A file of the signature record edited or deleted after it was committed (`crate::drift`).
    Drift,
}

/// Every finding counted, the most important kept.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// Ranked by (rank, file, line), ties in the order found: at most [`SHOWN`] of them,
    /// then the signature record's drift, which is never left out.
    pub shown: Vec<Finding>,
    /// Every finding, shown or not.
    pub total: usize,
    /// Every blocking finding, shown or not.
    pub blocking: usize,
    /// The kinds with a blocking finding, shown or not.
    blocking_kinds: Vec<FindingKind>,
}

impl Findings {
    /// Keeps `f` while it may still be among the [`SHOWN`] most important. Sorting and cutting
    /// once the list holds twice as many keeps the cost linear and the memory bounded; a stable
    /// sort keeps ties in the order they were found, as one sort of every finding would.
    pub fn push(&mut self, f: Finding) {
        self.count(&f);
        self.shown.push(f);
        if self.shown.len() >= 2 * SHOWN {
            self.rank();
        }
    }

    /// Ranks what is kept; `extra` (the record's drift) follows, never cut.
    pub fn finish(mut self, extra: Vec<Finding>) -> Findings {
        self.rank();
        for f in extra {
            self.count(&f);
            self.shown.push(f);
        }
        self
    }

    /// Findings counted but not kept, and how many of those block.
    pub fn hidden(&self) -> (usize, usize) {
        let blocking_shown = self.shown.iter().filter(|f| f.blocking).count();
        (self.total - self.shown.len(), self.blocking - blocking_shown)
    }

    /// The line that follows the findings shown, when some are not.
    pub fn more(&self) -> Option<String> {
        let (hidden, blocking) = self.hidden();
        (hidden > 0).then(|| {
            format!(
                "… and {hidden} more findings ({blocking} blocking), less important than those above: every \
                 requirement's state and causes are in index.json, rtm.html and rtm-junit.xml"
            )
        })
    }

    /// Whether some finding of this kind blocks, shown or not.
    pub fn blocks(&self, kind: FindingKind) -> bool {
        self.blocking_kinds.contains(&kind)
    }

    fn count(&mut self, f: &Finding) {
        self.total += 1;
        if f.blocking {
            self.blocking += 1;
            if !self.blocking_kinds.contains(&f.kind) {
                self.blocking_kinds.push(f.kind);
            }
        }
    }

    /// Compared in place: a key that clones the file name cost one allocation per comparison.
    fn rank(&mut self) {
        self.shown.sort_by(|a, b| (a.rank, &a.file, a.line).cmp(&(b.rank, &b.file, b.line)));
        self.shown.truncate(SHOWN);
    }
}

#[cfg(test)]
mod tests {
    use super::{Finding, FindingKind, Findings, SHOWN};

    fn finding(rank: u8, line: usize, blocking: bool) -> Finding {
        let kind = if rank == 4 { FindingKind::Unverified } else { FindingKind::Review };
        Finding { kind, file: "a.sdoc".into(), line, message: format!("{rank}/{line}"), rank, blocking }
    }

    /// Kept findings are exactly the first [`SHOWN`] of one stable sort of them all, and what
    /// is cut is still counted: the exit code and the "more" line rest on the counts.
    #[test]
    fn the_most_important_are_kept_in_order_and_every_one_is_counted() {
        let all: Vec<Finding> =
            (0..5 * SHOWN + 7).map(|i| finding([2, 4, 1][i % 3], (i * 7919) % 3001, i % 3 != 1)).collect();
        let mut findings = Findings::default();
        for f in all.iter().cloned() {
            findings.push(f);
        }
        let drift = Finding {
            kind: FindingKind::Drift,
            file: "signatures".into(),
            line: 1,
            message: "d".into(),
            rank: 0,
            blocking: true,
        };
        let findings = findings.finish(vec![drift]);
        let mut sorted = all.clone();
        sorted.sort_by(|a, b| (a.rank, &a.file, a.line).cmp(&(b.rank, &b.file, b.line)));
        let kept: Vec<&str> = findings.shown.iter().map(|f| f.message.as_str()).collect();
        let expected: Vec<&str> = sorted.iter().take(SHOWN).map(|f| f.message.as_str()).chain(["d"]).collect();
        assert_eq!(kept, expected);
        assert_eq!(findings.total, all.len() + 1);
        assert_eq!(findings.blocking, all.iter().filter(|f| f.blocking).count() + 1);
        let (hidden, hidden_blocking) = findings.hidden();
        assert_eq!(hidden, all.len() - SHOWN);
        assert_eq!(
            hidden_blocking,
            all.iter().filter(|f| f.blocking).count() - sorted.iter().take(SHOWN).filter(|f| f.blocking).count()
        );
        assert!(findings.blocks(FindingKind::Review) && findings.blocks(FindingKind::Drift));
        assert!(!findings.blocks(FindingKind::Unverified), "every unverified finding here is non-blocking");
    }
}
