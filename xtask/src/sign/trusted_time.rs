//! The time a key-file signature is judged at. With a verified RFC 3161 token (`sign::tsa`) it
//! is the token's time: enrolment, expiry, revocation, the request's creation, the future and
//! lockout windows are all judged at it. Without one it is the signer's own clock, unless the
//! release requires trusted time.

use super::Timestamp;
use super::dsse::Envelope;
use super::layout;
use super::record::{Part11Record, TimeSource};
use super::release_record::ReleaseRecord;
use super::trust::Anchoring;
use super::tsa::{self, TrustedTime};
use super::verdict::{Check, Problem};
use crate::formats::request::Request;

/// Whether every key-file signature of the release needs a token: its request says so (v2,
/// signed by every signer), or the policy in force does.
pub(crate) fn required(rec: &ReleaseRecord, request: &Request) -> bool {
    request.require_trusted_time || rec.policy.require_trusted_time
}

/// The envelope in `file`'s verified token time, if it has a token that holds, and every
/// problem with its time. A token that holds but disagrees with the signer's clock still gives
/// the time, so that the standing checks also say what that time means.
pub(crate) fn of_envelope(
    rec: &ReleaseRecord,
    request: &Request,
    (file, env): (&str, &Envelope),
    record: &Part11Record,
) -> (Option<TrustedTime>, Vec<Problem>) {
    let bad = |m: String| vec![Problem::signature(file, Check::TrustedTime, m)];
    let token_file = layout::token_file_name(file);
    let Some((_, token)) = rec.timestamps.iter().find(|(f, _)| *f == token_file) else {
        if required(rec, request) {
            return (
                None,
                bad(format!(
                    "has no RFC 3161 timestamp token ({token_file}), and this release requires trusted time \
                 (`require_trusted_time`): the signer signs again with a timestamp authority (`signet sign --tsa URL`)"
                )),
            );
        }
        return (None, Vec::new());
    };
    let Anchoring::Anchored { chain, .. } = &rec.anchoring else {
        return (
            None,
            bad("its timestamp token cannot be checked: no trust file names the accepted timestamp authorities".into()),
        );
    };
    let Some(signature) = tsa::signature_bytes(env) else {
        return (None, bad("has no signature bytes for its timestamp token to cover".into()));
    };
    match tsa::verify(token, &signature, chain) {
        Err(m) => (None, bad(m)),
        Ok(tt) => {
            let problems = match Timestamp::parse(&record.signed_at) {
                Some(clock) if (clock.0 - tt.at.0).abs() > tsa::CLOCK_TOLERANCE_SECS => bad(format!(
                    "the signer's clock says {} but the timestamp authority `{}` says {}: more than {} s apart, so \
                     the signature was not made when it says",
                    record.signed_at,
                    tt.authority,
                    tt.at,
                    tsa::CLOCK_TOLERANCE_SECS
                )),
                Some(_) => Vec::new(),
                None => bad(format!(
                    "signed_at {:?} is not a time, so it cannot be compared with the timestamp authority's {}",
                    record.signed_at, tt.at
                )),
            };
            (Some(tt), problems)
        }
    }
}

/// The record as the gate judges it: at the token's time, from the timestamp authority.
pub(crate) fn at_trusted_time(record: &Part11Record, tt: &TrustedTime) -> Part11Record {
    Part11Record { signed_at: tt.at.to_string(), time_source: TimeSource::TimestampAuthority, ..record.clone() }
}
