use super::super::password::{MIN_CHARS, common_passwords};
use super::super::{PolicyViolation, check_policy};

#[test]
fn a_long_varied_password_passes() {
    assert_eq!(check_policy("staple horse battery correct", "alice", &[]), Ok(()));
}

#[test]
fn too_short_counts_characters_not_bytes() {
    assert_eq!(check_policy("xk7#q-Lm2", "alice", &[]), Err(PolicyViolation::TooShort { chars: 9 }));
    // 11 characters in 33 bytes: still too short.
    let eleven = "日本語のパスワードです";
    assert_eq!(eleven.len(), 33);
    assert_eq!(check_policy(eleven, "alice", &[]), Err(PolicyViolation::TooShort { chars: 11 }));
    assert_eq!(check_policy("日本語のパスワードですよ", "alice", &[]), Ok(()));
    // A combining accent is its own scalar value: "é" as e + U+0301 counts 2.
    assert_eq!(check_policy("cafe\u{301}-noir-xyz", "alice", &[]), Ok(()));
    assert_eq!(MIN_CHARS, 12);
}

#[test]
fn signer_id_is_refused_in_any_case() {
    assert_eq!(check_policy("alice", "alice", &[]), Err(PolicyViolation::ContainsSignerId));
    assert_eq!(check_policy("my-ALICE-password-2024", "Alice", &[]), Err(PolicyViolation::ContainsSignerId));
    assert_eq!(
        check_policy("alice.smith@example.org!", "Alice.Smith@example.org", &[]),
        Err(PolicyViolation::ContainsSignerId)
    );
    // An e-mail id's local part is what a guesser would try.
    assert_eq!(
        check_policy("hello-Alice.Smith-2024", "alice.smith@example.org", &[]),
        Err(PolicyViolation::ContainsSignerId)
    );
    // An empty id is not contained in everything.
    assert_eq!(check_policy("staple horse battery correct", "", &[]), Ok(()));
}

#[test]
fn common_passwords_are_refused_in_any_case() {
    assert_eq!(check_policy("123qweasdzxc", "alice", &[]), Err(PolicyViolation::Common));
    assert_eq!(check_policy("123QWEasdZXC", "alice", &[]), Err(PolicyViolation::Common));
    assert_eq!(check_policy("PassWord", "alice", &[]), Err(PolicyViolation::Common));
}

#[test]
fn a_single_repeated_character_is_refused() {
    assert_eq!(check_policy("aaaaaaaaaaaaaaaa", "alice", &[]), Err(PolicyViolation::RepeatedCharacter));
    assert_eq!(check_policy("éééééééééééééé", "alice", &[]), Err(PolicyViolation::RepeatedCharacter));
    // One character alone is just short.
    assert_eq!(check_policy("z", "alice", &[]), Err(PolicyViolation::TooShort { chars: 1 }));
    assert_eq!(check_policy("", "alice", &[]), Err(PolicyViolation::TooShort { chars: 0 }));
}

#[test]
fn the_list_is_the_top_1000_from_zxcvbn() {
    let list: Vec<&str> = common_passwords().collect();
    assert_eq!(list.len(), 1000);
    assert_eq!(&list[..4], ["123456", "password", "12345678", "qwerty"]);
    assert!(list.iter().all(|p| *p == p.to_lowercase() && *p == p.trim()), "entries are lowercase, trimmed");
    let header = include_str!("../common-passwords.txt").lines().next().unwrap();
    assert!(header.starts_with('#'));
    assert!(include_str!("../common-passwords.txt").contains("zxcvbn 4.5.0"));
}

#[test]
fn messages_say_what_to_do_and_never_repeat_the_password() {
    for password in ["hunter2", "123qweasdzxc", "bbbbbbbbbbbbbbb", "bob-secret-pass"] {
        let violation = check_policy(password, "bob", &[]).unwrap_err();
        let message = violation.to_string();
        assert!(!message.contains(password), "{message}");
        assert!(message.contains("; "), "says what to do: {message}");
    }
}

/// §11.300: the measured passes are refused by the strength estimate, and the signer's
/// own name counts as guessable.
#[test]
fn guessable_passwords_are_refused_by_strength() {
    for weak in ["password1234", "Password123!", "passwordpassword"] {
        assert!(
            matches!(
                check_policy(weak, "alice", &[]),
                Err(PolicyViolation::Guessable { .. } | PolicyViolation::Common)
            ),
            "{weak}"
        );
    }
    assert!(matches!(check_policy("Whitfield1990!", "dana", &[]), Ok(()) | Err(PolicyViolation::Guessable { .. })));
    assert!(
        matches!(check_policy("Whitfield1990!", "dana", &["Dana Whitfield"]), Err(PolicyViolation::Guessable { .. })),
        "the signer's surname makes it guessable"
    );
    let message = check_policy("password1234", "alice", &[]).unwrap_err().to_string();
    assert!(message.contains("strength") && message.contains("; "), "{message}");
    assert_eq!(
        check_policy("correct horse battery staple 42", "dana", &["Dana Whitfield", "dana@pump.example"]),
        Ok(())
    );
}
