//! The one place that asks what time it is.
//!
//! Tests of the real binary set `CASESTATUS_SYNC_NOW` (RFC 3339) to move the
//! clock instead of sleeping, e.g. across the 45-minute rule. Unset, it is
//! the system clock. Library code takes `now` as a parameter and never calls
//! this itself, so it stays testable.

use chrono::{DateTime, SecondsFormat, Utc};

/// The environment variable that pins the clock (tests and demos only).
pub const NOW_ENV: &str = "CASESTATUS_SYNC_NOW";

/// Now, from `CASESTATUS_SYNC_NOW` if set and valid, else the system clock.
///
/// # Errors
/// A message naming the variable when it is set but not RFC 3339.
pub fn now() -> Result<DateTime<Utc>, String> {
    match std::env::var(NOW_ENV) {
        Ok(v) if !v.trim().is_empty() => DateTime::parse_from_rfc3339(v.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("{NOW_ENV}={v:?} is not an RFC 3339 time: {e}")),
        _ => Ok(Utc::now()),
    }
}

/// The stored form of a time: RFC 3339, UTC, whole seconds (SPEC §3).
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parse a stored time; lenient about the offset, strict about the format.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A time as people read it: in the firm's zone, to the minute, with the
/// zone's abbreviation (`2026-11-28 09:45 CST`). `--json` keeps RFC 3339 UTC.
pub fn local(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()
}

/// A stored time shown in the firm's zone; text that is not a time is
/// shown as it is (it is what the file holds).
pub fn local_text(stored: &str, tz: chrono_tz::Tz) -> String {
    match parse(stored) {
        Some(t) => local(t, tz),
        None => stored.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_has_the_zone_abbreviation() {
        let t = parse("2026-11-28T15:45:00Z").unwrap();
        assert_eq!(
            local(t, chrono_tz::America::Chicago),
            "2026-11-28 09:45 CST"
        );
        let summer = parse("2026-07-01T15:45:00Z").unwrap();
        assert_eq!(
            local(summer, chrono_tz::America::Chicago),
            "2026-07-01 10:45 CDT"
        );
        assert_eq!(local_text("soon", chrono_tz::UTC), "soon");
    }
}
