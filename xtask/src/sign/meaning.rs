//! Signature meanings (§11.50(a)(3)): what a signature means, shown in full to the signer and
//! on every human-readable form. The six built-in definitions are seed 002's Appendix A.

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

pub use crate::formats::policy::CustomMeaning;

/// The definition of `code`, built-in or declared by the policy.
pub fn definition<'a>(code: &str, custom: &'a [CustomMeaning]) -> Option<&'a str> {
    BUILTIN
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, t)| *t)
        .or_else(|| custom.iter().find(|m| m.code == code).map(|m| m.text.as_str()))
}

pub const REJECTOR: &str = "REJECTOR";
