//! Time as Synnefo shows it: ISO 8601 with microseconds and an explicit UTC
//! offset, and the `changes-since` parameter of listings.

use std::time::Duration;

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
}
