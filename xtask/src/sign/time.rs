//! UTC timestamps as RFC 3339 text (`2026-11-22T10:15:30Z`), the form every signature record
//! uses. Whole seconds; offsets other than Z/+00:00 are converted.
//!
//! The accepted spelling is strict and fixed — `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` or a bare
//! date `YYYY-MM-DD` — because registry and manifest times decide verdicts (an expiry, a
//! revocation): a time read differently by a later Signet would change a verdict on an archived
//! record. The calendar (valid dates, days since the epoch) is jiff's.

use std::fmt;

use jiff::SignedDuration;
use jiff::civil::DateTime;

const EPOCH: DateTime = DateTime::constant(1970, 1, 1, 0, 0, 0, 0);

/// Seconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const MAX: Timestamp = Timestamp(i64::MAX);

    pub fn now() -> Timestamp {
        Timestamp(jiff::Timestamp::now().as_second())
    }

    /// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` (`T` or `t` or a space; `Z` or `z`; the fraction
    /// dropped; a leap second `:60` is the next minute's `:00`), or a bare date `YYYY-MM-DD`
    /// (midnight UTC). Anything else is not a time.
    pub fn parse(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        let b = s.as_bytes();
        let num = |from: usize, len: usize| -> Option<i64> {
            let part = s.get(from..from + len)?;
            part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
        };
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (y, m, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
        if b.len() == 10 {
            return Self::civil(y, m, d, 0, 0, 0);
        }
        if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 20 || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let (hh, mm, ss) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
        let mut rest = &s[19..];
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            rest = &frac[digits..];
        }
        let offset = match rest {
            "Z" | "z" => 0,
            _ => {
                let sign = match rest.as_bytes().first()? {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                    return None;
                }
                let two = |r: Option<&str>| r.filter(|r| r.bytes().all(|c| c.is_ascii_digit()))?.parse::<i64>().ok();
                let (oh, om) = (two(rest.get(1..3))?, two(rest.get(4..6))?);
                sign * (oh * 3600 + om * 60)
            }
        };
        let leap = i64::from(ss == 60);
        let t = Self::civil(y, m, d, hh, mm, ss - leap)?;
        Some(Timestamp(t.0 + leap - offset))
    }

    /// A valid proleptic Gregorian date and time of day, as seconds since the epoch.
    fn civil(y: i64, m: i64, d: i64, hh: i64, mm: i64, ss: i64) -> Option<Timestamp> {
        let small = |v: i64| i8::try_from(v).ok();
        let dt =
            DateTime::new(i16::try_from(y).ok()?, small(m)?, small(d)?, small(hh)?, small(mm)?, small(ss)?, 0).ok()?;
        Some(Timestamp(dt.duration_since(EPOCH).as_secs()))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match EPOCH.checked_add(SignedDuration::from_secs(self.0)) {
            Ok(t) => write!(f, "{}", t.strftime("%Y-%m-%dT%H:%M:%SZ")),
            // Beyond year 9999: only the `MAX` sentinel, which no record holds.
            Err(_) => write!(f, "@{}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    fn round_trips_and_offsets() {
        for s in ["1970-01-01T00:00:00Z", "2026-11-22T10:15:30Z", "2000-02-29T23:59:59Z", "2100-03-01T00:00:00Z"] {
            assert_eq!(Timestamp::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(Timestamp::parse("2026-11-22T12:15:30+02:00"), Timestamp::parse("2026-11-22T10:15:30Z"));
        assert_eq!(Timestamp::parse("2026-11-22T10:15:30.999Z"), Timestamp::parse("2026-11-22T10:15:30Z"));
        assert_eq!(Timestamp::parse("2026-11-22").unwrap().to_string(), "2026-11-22T00:00:00Z");
        for bad in ["", "2026-13-01", "2026-02-30", "2026-11-22T25:00:00Z", "2026-11-22T10:00:00", "yesterday"] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }

    /// The spelling that decides registry and manifest verdicts is exactly the one Signet 0.1
    /// read: nothing more lenient (times without seconds, basic format, zone annotations, short
    /// offsets, comma fractions), nothing stricter (long fractions, leap seconds, year 9999).
    #[test]
    fn the_accepted_spelling_is_fixed() {
        for lenient in [
            "2026-11-22T13:37Z",
            "2026-11-22T10Z",
            "20261122T101530Z",
            "2026-11-22T10:15:30Z[Europe/Paris]",
            "2026-11-22T10:15:30+02",
            "2026-11-22T10:15:30+0200",
            "2026-11-22T10:15:30,5Z",
            "+002026-11-22T10:15:30Z",
        ] {
            assert_eq!(Timestamp::parse(lenient), None, "{lenient}");
        }
        let t = |s: &str| Timestamp::parse(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(t("2026-11-22T13:36:27.1234567890Z"), t("2026-11-22T13:36:27Z"));
        assert_eq!(t("2026-11-22T13:36:27+01:60"), t("2026-11-22T11:36:27Z"));
        assert_eq!(t("2016-12-31T23:59:60Z"), t("2017-01-01T00:00:00Z"));
        assert_eq!(t("9999-12-31T23:59:59Z").to_string(), "9999-12-31T23:59:59Z");
        assert_eq!(t("2026-11-22t10:15:30z"), t("2026-11-22 10:15:30Z"));
    }
}
