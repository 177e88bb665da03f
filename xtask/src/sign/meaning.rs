//! Signature meanings (§11.50(a)(3)): what a signature means, shown in full to the signer and
//! on every human-readable form. The six built-in definitions are seed 002's Appendix A; TRAINEE
//! and AUDITOR complete PRS-014 S2's signature types.

pub const BUILTIN: [(&str, &str); 6] = [
    (
        "AUTHOR",
        "The individual who created, wrote, or originated the record content. The author is accountable for \
         the technical accuracy and completeness of the record.",
    ),
    (
        "REVIEWER",
        "The individual who reviewed the record for technical accuracy, completeness, and compliance with \
         applicable regulations and procedures. The reviewer provides independent verification of record quality.",
    ),
    (
        "APPROVER",
        "The individual with authority to approve the record for release, implementation, or use within the \
         organization. Approval signifies authorization and acceptance of accountability.",
    ),
    (
        "VERIFIER",
        "The individual who verified the execution or completion of an activity described in the record. \
         Verification confirms that the activity was performed as specified.",
    ),
    (
        "WITNESS",
        "The individual who witnessed the signing event or activity execution. Witnessing provides independent \
         confirmation for critical operations.",
    ),
    (
        "REJECTOR",
        "The individual who formally rejected the record with documented justification. Rejection prevents \
         record release or implementation.",
    ),
];

/// Built in since PRS-014's signature types were completed. A policy that declared its own
/// TRAINEE or AUDITOR before keeps its text: its signatures carry that text, and the gate
/// compares the two.
pub const ADDED: [(&str, &str); 2] = [
    (
        "TRAINEE",
        "The individual who read and understood the record as part of their training and confirms that the \
         training was completed. The trainee's signature attests to training, not to the record's content.",
    ),
    (
        "AUDITOR",
        "The individual who audited the record, and the activities it documents, for compliance with applicable \
         regulations and procedures, independently of those who produced it. The auditor's signature attests \
         that the audit was performed; findings are recorded separately.",
    ),
];

pub use crate::formats::policy::CustomMeaning;

/// The definition of `code`: one of the original six, else the policy's own, else TRAINEE or AUDITOR.
pub fn definition<'a>(code: &str, custom: &'a [CustomMeaning]) -> Option<&'a str> {
    let find = |list: &'static [(&'static str, &'static str)]| list.iter().find(|(c, _)| *c == code).map(|(_, t)| *t);
    find(&BUILTIN).or_else(|| custom.iter().find(|m| m.code == code).map(|m| m.text.as_str())).or_else(|| find(&ADDED))
}

/// Every built-in code, for messages.
pub fn builtin_codes() -> String {
    BUILTIN.iter().chain(&ADDED).map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
}

pub const REJECTOR: &str = "REJECTOR";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trainee_and_auditor_are_built_in_but_an_earlier_policy_keeps_its_own_text() {
        assert!(definition("TRAINEE", &[]).is_some_and(|t| t.contains("training")));
        assert!(definition("AUDITOR", &[]).is_some_and(|t| t.contains("audited")));
        let own = |code: &str| vec![CustomMeaning { code: code.into(), text: "our SOP-12 text".into() }];
        assert_eq!(definition("TRAINEE", &own("TRAINEE")), Some("our SOP-12 text"));
        assert_eq!(definition("REVIEWER", &own("REVIEWER")), definition("REVIEWER", &[]));
        assert_eq!(definition("LEGAL", &own("LEGAL")), Some("our SOP-12 text"));
        assert_eq!(definition("LEGAL", &[]), None);
    }
}
