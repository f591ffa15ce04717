//! Time as Synnefo shows it: ISO 8601 with microseconds and an explicit UTC
//! offset, and the `changes-since` parameter of listings.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use time::format_description::well_known::{Iso8601, Rfc3339};
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::errors::{ApiError, ApiResult};

/// How far back `changes-since` may look (Synnefo's `POLL_LIMIT`).
pub const POLL_LIMIT: Duration = Duration::from_secs(3600);

/// The current time.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// `2014-02-12T08:31:37.834542+00:00`, as Synnefo's `isoformat` renders.
pub fn iso(t: OffsetDateTime) -> String {
    let format = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+00:00"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// Parses an ISO 8601 date, with or without an offset (UTC is assumed).
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    // An unescaped `+` of an offset arrives in a query string as a space.
    if let Some((date, offset)) = text.rsplit_once(' ') {
        if date.contains('T') && offset.len() == 5 && offset.contains(':') {
            return parse(&format!("{date}+{offset}"));
        }
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(t);
    }
    let without_offset = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    ];
    without_offset
        .iter()
        .find_map(|f| PrimitiveDateTime::parse(text, f).ok())
        .map(PrimitiveDateTime::assume_utc)
}

/// The `changes-since` query parameter, checked as Synnefo checks it: a
/// parseable date, not in the future, not older than [`POLL_LIMIT`].
pub fn changes_since(value: Option<&String>) -> ApiResult<Option<OffsetDateTime>> {
    let Some(text) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let since =
        parse(text).ok_or_else(|| ApiError::bad_request("Invalid changes-since parameter."))?;
    let now = now();
    if since > now {
        return Err(ApiError::bad_request(
            "changes-since value set in the future.",
        ));
    }
    if now - since > POLL_LIMIT {
        return Err(ApiError::bad_request("Too old changes-since value."));
    }
    Ok(Some(since))
}

/// Parses a date as Astakos accepts them: RFC 3339, or an ISO 8601 date
/// and time without offset (taken as UTC), or a bare date.
pub fn parse_date(text: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(t);
    }
    if let Ok(t) = time::PrimitiveDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(t.assume_utc());
    }
    time::Date::parse(text, &Iso8601::DEFAULT)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

/// One moment of this process on both clocks, taken the first time one
/// is converted to the other: every conversion is measured from it, so a
/// conversion and its inverse give back the very same value.
fn anchor() -> (Instant, OffsetDateTime) {
    static ANCHOR: OnceLock<(Instant, OffsetDateTime)> = OnceLock::new();
    *ANCHOR.get_or_init(|| (Instant::now(), now()))
}

/// The wall-clock time of a monotonic instant (for a snapshot of a
/// deadline kept as an [`Instant`]).
pub fn wall_at(instant: Instant) -> OffsetDateTime {
    let (mono, wall) = anchor();
    let moved = if instant >= mono {
        time::Duration::try_from(instant - mono)
            .ok()
            .and_then(|d| wall.checked_add(d))
    } else {
        time::Duration::try_from(mono - instant)
            .ok()
            .and_then(|d| wall.checked_sub(d))
    };
    // Out of range only for an instant thousands of years away.
    moved.unwrap_or(wall)
}

/// The monotonic instant of a wall-clock time (a deadline restored from a
/// snapshot): a time already past is an instant already past, so what was
/// due is due now; a time to come is as far ahead as it is on the wall
/// clock. A time too far back for this machine's monotonic clock (before
/// it booted) is this process's start, also past.
pub fn instant_at(at: OffsetDateTime) -> Instant {
    let (mono, wall) = anchor();
    let offset = at - wall;
    let moved = if offset.is_negative() {
        mono.checked_sub(offset.unsigned_abs())
    } else {
        mono.checked_add(offset.unsigned_abs())
    };
    moved.unwrap_or(mono)
}

/// A serde representation of an [`Instant`] as its wall-clock time
/// ([`wall_at`], [`instant_at`]), for `#[serde(with = ...)]`: deadlines
/// survive a restart as the times they stand for.
pub mod instant_as_wall {
    use std::time::Instant;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::OffsetDateTime;

    /// Writes the instant's wall-clock time.
    pub fn serialize<S: Serializer>(instant: &Instant, serializer: S) -> Result<S::Ok, S::Error> {
        super::wall_at(*instant).serialize(serializer)
    }

    /// Reads a wall-clock time as an instant.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Instant, D::Error> {
        OffsetDateTime::deserialize(deserializer).map(super::instant_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_parses_synnefo_dates() {
        let t = parse("2014-02-12T08:31:37.834542+00:00").unwrap();
        assert_eq!(iso(t), "2014-02-12T08:31:37.834542+00:00");
        let t = parse("2014-02-12T10:31:37+02:00").unwrap();
        assert_eq!(iso(t), "2014-02-12T08:31:37.000000+00:00");
        assert!(parse("2014-02-12T08:31:37").is_some());
        assert!(parse("yesterday").is_none());
        assert_eq!(
            parse("2014-02-12T08:31:37.1 00:00"),
            parse("2014-02-12T08:31:37.1+00:00")
        );
    }

    #[test]
    fn changes_since_is_bounded() {
        let bad = |s: &str| changes_since(Some(&s.to_string())).unwrap_err().code;
        assert_eq!(bad("garbage"), 400);
        assert_eq!(bad("2999-01-01T00:00:00Z"), 400);
        assert_eq!(bad("2001-01-01T00:00:00Z"), 400);
        let recent = iso(now() - Duration::from_secs(5));
        assert!(changes_since(Some(&recent)).unwrap().is_some());
        assert!(changes_since(None).unwrap().is_none());
    }

    #[test]
    fn instants_and_wall_times_convert_back_exactly() {
        let now = Instant::now();
        for instant in [
            now,
            now + Duration::from_nanos(123_456_789),
            now + Duration::from_secs(86_400),
            now.checked_sub(Duration::from_millis(1500)).unwrap(),
        ] {
            assert_eq!(instant_at(wall_at(instant)), instant);
        }
        let wall = wall_at(now);
        assert!((wall - super::now()).abs() < time::Duration::seconds(5));
        let later = super::now() + Duration::from_secs(60);
        assert_eq!(wall_at(instant_at(later)), later);
        // Too far back for the monotonic clock: already past, not a panic.
        let ancient = super::now() - time::Duration::days(365 * 1000);
        assert!(instant_at(ancient) <= Instant::now());
    }

    #[test]
    fn instants_serialize_as_wall_times() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Deadline {
            #[serde(with = "instant_as_wall")]
            due: Instant,
        }
        let due = Instant::now() + Duration::from_secs(30);
        let json = serde_json::to_value(Deadline { due }).unwrap();
        let text = json["due"].as_str().unwrap();
        let expected = wall_at(due);
        assert!(text.starts_with(&expected.year().to_string()), "{text}");
        let back: Deadline = serde_json::from_value(json).unwrap();
        assert_eq!(back.due, due);
    }
}
