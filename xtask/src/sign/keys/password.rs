//! What a key password must be, and asking for a new one.

use std::fmt;
use std::io::Write;

use zeroize::Zeroizing;

use super::KeyError;
use super::tty::open_console;

pub use super::tty::{is_interactive, read_password};

/// Minimum length in Unicode scalar values, so "pässwörd" counts 8, not 10 bytes.
pub const MIN_CHARS: usize = 12;

/// The least zxcvbn score (0–4) a key password must reach: 3 is "safely unguessable", under
/// 10^10 guesses, which an offline attacker with the key file and scrypt's cost cannot make.
pub const MIN_SCORE: u8 = 3;

/// How many times `read_new_password` asks before giving up.
pub const NEW_PASSWORD_ATTEMPTS: u32 = 3;

/// Header lines start with `#`; no listed password does.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// Why a password was refused. The messages never repeat the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyViolation {
    TooShort {
        chars: usize,
    },
    ContainsSignerId,
    Common,
    RepeatedCharacter,
    /// zxcvbn's estimate is below [`MIN_SCORE`], with its generic warning and suggestions.
    Guessable {
        score: u8,
        advice: String,
    },
}

impl fmt::Display for PolicyViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyViolation::TooShort { chars } => write!(
                f,
                "the password has {chars} characters; use at least {MIN_CHARS} (several unrelated words are easy \
                 to remember and long enough)"
            ),
            PolicyViolation::ContainsSignerId => {
                f.write_str("the password contains your signer id; choose one that does not include your name or id")
            }
            PolicyViolation::Common => f.write_str(
                "the password is one of the 1000 most common passwords (letter case does not matter); \
                 choose one nobody else is likely to use",
            ),
            PolicyViolation::RepeatedCharacter => {
                f.write_str("the password is a single character repeated; choose one with varied characters")
            }
            PolicyViolation::Guessable { score, advice } => write!(
                f,
                "the password is too easy to guess (strength {score} of 4, at least {MIN_SCORE} needed{advice}); \
                 add more unrelated words, and avoid names, dates, keyboard patterns and common substitutions"
            ),
        }
    }
}

impl std::error::Error for PolicyViolation {}

/// Checks `password` against the key-password rules: not one of the 1000 most common passwords,
/// not one character repeated, not containing the signer id (or an e-mail id's local part), at
/// least [`MIN_CHARS`] characters, and at least [`MIN_SCORE`] by zxcvbn with the signer's id and
/// `details` (name, e-mail) as what a guesser knows. Comparisons ignore letter case. The first
/// rule broken is reported, most specific first.
pub fn check_policy(password: &str, signer_id: &str, details: &[&str]) -> Result<(), PolicyViolation> {
    let lower = Zeroizing::new(password.to_lowercase());
    if is_common(&lower) {
        return Err(PolicyViolation::Common);
    }
    if is_one_character_repeated(password) {
        return Err(PolicyViolation::RepeatedCharacter);
    }
    if signer_id_parts(signer_id).any(|part| lower.contains(&part)) {
        return Err(PolicyViolation::ContainsSignerId);
    }
    let count = password.chars().count();
    if count < MIN_CHARS {
        return Err(PolicyViolation::TooShort { chars: count });
    }
    check_strength(password, signer_id, details)
}

fn check_strength(password: &str, signer_id: &str, details: &[&str]) -> Result<(), PolicyViolation> {
    let mut inputs: Vec<&str> = details.iter().flat_map(|d| d.split(|c: char| !c.is_alphanumeric())).collect();
    inputs.push(signer_id);
    inputs.retain(|i| i.chars().count() >= 3);
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    let score = u8::from(estimate.score());
    if score >= MIN_SCORE {
        return Ok(());
    }
    // zxcvbn's feedback is generic ("This is similar to a commonly used password"), never the password.
    let advice = estimate
        .feedback()
        .and_then(|f| f.warning())
        .map(|w| format!(": {}", w.to_string().trim_end_matches('.')))
        .unwrap_or_default();
    Err(PolicyViolation::Guessable { score, advice })
}

fn is_one_character_repeated(password: &str) -> bool {
    let mut chars = password.chars();
    let Some(first) = chars.next() else { return false };
    let mut rest = chars.peekable();
    rest.peek().is_some() && rest.all(|c| c == first)
}

fn is_common(lowercase: &str) -> bool {
    common_passwords().any(|common| common == lowercase)
}

pub(super) fn common_passwords() -> impl Iterator<Item = &'static str> {
    COMMON_PASSWORDS.lines().filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// The id itself and, for `name@example.org`, the `name` a guesser would try first.
fn signer_id_parts(signer_id: &str) -> impl Iterator<Item = String> {
    let id = signer_id.trim().to_lowercase();
    let local = id.split_once('@').map(|(local, _)| local.to_string()).filter(|local| local.chars().count() >= 3);
    std::iter::once(id).chain(local).filter(|part| !part.is_empty())
}

/// Asks on the terminal for a new password twice; re-asks (saying why) when the two differ or
/// the policy refuses it, and gives up after [`NEW_PASSWORD_ATTEMPTS`] tries.
pub fn read_new_password(signer_id: &str, details: &[&str]) -> Result<Zeroizing<String>, KeyError> {
    let tty = open_console().map_err(KeyError::NoTerminal)?;
    let mut last = String::new();
    for attempt in 1..=NEW_PASSWORD_ATTEMPTS {
        let first = tty.read_hidden_line("New key password: ").map_err(KeyError::Terminal)?;
        last = match check_policy(&first, signer_id, details) {
            Ok(()) => {
                let again = tty.read_hidden_line("Repeat the password: ").map_err(KeyError::Terminal)?;
                if *again == *first {
                    return Ok(first);
                }
                "the two passwords differ; type the same password both times".to_string()
            }
            Err(violation) => violation.to_string(),
        };
        let left = NEW_PASSWORD_ATTEMPTS - attempt;
        // Best effort: if the terminal cannot take the reason, the next prompt fails anyway.
        let _ = writeln!(
            &tty.output,
            "Refused: {last}.{}",
            if left > 0 { format!(" {left} attempt(s) left.") } else { String::new() }
        );
    }
    Err(KeyError::NewPassword { attempts: NEW_PASSWORD_ATTEMPTS, last })
}
