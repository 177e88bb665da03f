//! Delegation of signing authority (seed 002 §6.2): an enrolled person's role, delegated to
//! another enrolled person for a window of at most 30 days, by an administrator's signed
//! `[[delegation]]` entry that states who, what role, from and until, and why. The delegate
//! signs as themselves, "on behalf of" the delegator; the gate checks the entry, its approval
//! (`sign::anchored`) and the window at the signature's time, trusted where a token dates it.

use super::record::{OnBehalfOf, Part11Record};
use super::registry::{Delegation, Registry, Signer, SignerKind, Standing};
use super::trust::entry_sha256;
use super::{SignError, Timestamp};
use crate::formats::ids::Role;

/// The longest window one delegation may span (seed 002 §6.2.2).
pub const MAX_DAYS: i64 = 30;

/// What an administrator delegates (`signet delegate`).
#[derive(Debug, Clone)]
pub struct Request {
    pub delegator: String,
    pub delegate: String,
    pub role: String,
    pub from: String,
    pub until: String,
    pub reason: String,
}

/// The entry to append, with every rule checked: two distinct people, both enrolled and active
/// now, the delegator enrolled for a role the policy requires, a window of at most 30 days that
/// has not ended, and a reason.
pub fn entry(registry: &Registry, d: &Request, policy_roles: &[&str], now: Timestamp) -> Result<Delegation, SignError> {
    let refuse = |m: String| Err(SignError::Refused(m));
    let role = Role::parse(&d.role).map_err(|e| SignError::Refused(e.to_string()))?;
    if !policy_roles.contains(&role.as_str()) {
        return refuse(format!("role `{role}` is not required by the signing policy ({})", policy_roles.join(", ")));
    }
    let delegator = person(registry, &d.delegator, "delegator", now)?;
    let delegate = person(registry, &d.delegate, "delegate", now)?;
    if !delegator.roles.contains(&role) {
        return refuse(format!("`{}` is not enrolled for {role}, so cannot delegate it", delegator.id));
    }
    if registry.same_person(&delegator.id, &delegate.id) {
        return refuse(format!(
            "`{}` and `{}` are one person: a delegation is to someone else",
            d.delegator, d.delegate
        ));
    }
    let time = |flag: &str, v: &str| {
        Timestamp::parse(v)
            .ok_or_else(|| SignError::Refused(format!("{flag} `{v}` is not a date or RFC 3339 UTC time")))
    };
    let (from, until) = (time("--from", &d.from)?, time("--until", &d.until)?);
    if until.0 <= from.0 || until.0 - from.0 > MAX_DAYS * 86_400 {
        return refuse(format!(
            "--from {from} --until {until}: a delegation lasts more than nothing and at most {MAX_DAYS} days"
        ));
    }
    if until.0 <= now.0 {
        return refuse(format!("--until {until} has passed"));
    }
    if d.reason.trim().is_empty() || d.reason.chars().any(char::is_control) || d.reason.chars().count() > 500 {
        return refuse("--reason must say why (one line, at most 500 characters)".into());
    }
    Ok(Delegation {
        delegator: delegator.id.clone(),
        delegate: delegate.id.clone(),
        role,
        from: from.to_string(),
        until: until.to_string(),
        reason: d.reason.clone(),
        recorded_at: now.to_string(),
    })
}

fn person<'a>(registry: &'a Registry, id: &'a str, what: &str, now: Timestamp) -> Result<&'a Signer, SignError> {
    registry.active(id, &now).filter(|s| s.kind == SignerKind::Human).ok_or_else(|| {
        SignError::Refused(format!("the {what} `{id}` is not an enrolled person with an active credential"))
    })
}

/// The delegation `delegate` may exercise for `role` on behalf of `delegator` at `at`, as the
/// record will name it.
pub fn exercisable(
    registry: &Registry,
    delegate: &Signer,
    (delegator, role): (&str, &str),
    at: Timestamp,
) -> Result<OnBehalfOf, String> {
    let window = |d: &&Delegation| {
        Timestamp::parse(&d.from).is_some_and(|f| f.0 <= at.0)
            && Timestamp::parse(&d.until).is_some_and(|u| at.0 <= u.0)
    };
    let d = registry
        .delegation
        .iter()
        .filter(|d| d.delegate == delegate.id && d.delegator == delegator && d.role == role)
        .find(window)
        .ok_or_else(|| {
            format!(
                "no delegation of {role} from `{delegator}` to `{}` is in force now; an administrator records one \
                 with `signet delegate`",
                delegate.id
            )
        })?;
    let from = delegator_entry(registry, d, at)?;
    Ok(OnBehalfOf { signer_id: from.id.clone(), printed_name: from.name.clone(), delegation_sha256: entry_sha256(d) })
}

/// The delegation a delegated record names, checked at the signature's time `at`.
pub fn check<'a>(
    registry: &'a Registry,
    signer: &Signer,
    r: &Part11Record,
    at: Timestamp,
) -> Result<&'a Delegation, String> {
    let Some(o) = &r.on_behalf_of else { return Err("names no delegation".into()) };
    let d =
        registry.delegation.iter().find(|d| entry_sha256(d) == o.delegation_sha256).ok_or_else(|| {
            format!("signs on behalf of `{}` under a delegation the registry does not hold", o.signer_id)
        })?;
    if d.delegate != signer.id || d.delegator != o.signer_id || d.role != r.role {
        return Err(format!(
            "the delegation names {} from `{}` to `{}`, not {} from `{}` to `{}`",
            d.role, d.delegator, d.delegate, r.role, o.signer_id, signer.id
        ));
    }
    let (from, until) = (Timestamp::parse(&d.from), Timestamp::parse(&d.until));
    if !from.zip(until).is_some_and(|(f, u)| f.0 <= at.0 && at.0 <= u.0) {
        return Err(format!("signed at {at}, outside the delegation's window {} to {}", d.from, d.until));
    }
    let from = delegator_entry(registry, d, at)?;
    if from.name != o.printed_name {
        return Err(format!(
            "names the delegator as {:?}, but `{}` is enrolled as {:?}",
            o.printed_name, from.id, from.name
        ));
    }
    if registry.same_person(&d.delegator, &signer.id) {
        return Err(format!("`{}` and `{}` are one person", d.delegator, signer.id));
    }
    Ok(d)
}

/// The delegator's entry in good standing at `at`, enrolled for the role.
pub(crate) fn delegator_entry<'a>(
    registry: &'a Registry,
    d: &'a Delegation,
    at: Timestamp,
) -> Result<&'a Signer, String> {
    registry
        .entries(&d.delegator)
        .filter(|s| s.kind == SignerKind::Human && s.roles.contains(&d.role))
        .find(|s| registry.standing(s, &at) == Standing::Valid)
        .ok_or_else(|| {
            format!("the delegator `{}` was not enrolled for {} in good standing at {at}", d.delegator, d.role)
        })
}
