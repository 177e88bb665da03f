//! UTC timestamps as RFC 3339 text (`2026-11-22T10:15:30Z`), the form every signature record
//! uses. Whole seconds; offsets other than Z/+00:00 are converted. Parsing and calendar
//! arithmetic are jiff's.

use std::fmt;

/// Seconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const MAX: Timestamp = Timestamp(i64::MAX);

    pub fn now() -> Timestamp {
        Timestamp(jiff::Timestamp::now().as_second())
    }

    /// An RFC 3339 time with an offset (`…Z`, `…+02:00`, fractions dropped), or a bare date
    /// `YYYY-MM-DD` (midnight UTC). A time without an offset says nothing about when it was.
    pub fn parse(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        if s.len() == 10 {
            let date: jiff::civil::Date = s.parse().ok()?;
            let midnight = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
            return Some(Timestamp(midnight.timestamp().as_second()));
        }
        let t: jiff::Timestamp = s.parse().ok()?;
        Some(Timestamp(t.as_second()))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match jiff::Timestamp::from_second(self.0) {
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
}
