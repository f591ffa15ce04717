//! Argument types kamaki accepts: Pithos locations, byte ranges, data
//! sizes, dates, `KEY=VALUE` pairs.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use crate::error::{CliError, CliResult};

/// Where an object is: `pithos://UUID/CONTAINER/PATH`, `/CONTAINER/PATH`,
/// or a plain `PATH` in the default container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The account (a uuid), when the location names one.
    pub account: Option<String>,
    /// The container, when the location names one.
    pub container: Option<String>,
    /// The object path (may be empty: the whole container).
    pub path: String,
}

impl Location {
    /// Parses a location.
    pub fn parse(text: &str) -> CliResult<Self> {
        if let Some(rest) = text.strip_prefix("pithos://") {
            let mut parts = rest.splitn(3, '/');
            let account = parts.next().filter(|a| !a.is_empty());
            let container = parts.next().filter(|c| !c.is_empty());
            let (Some(account), Some(container)) = (account, container) else {
                return Err(CliError::new(format!(
                    "invalid location {text:?}: expected pithos://UUID/CONTAINER[/PATH]"
                )));
            };
            return Ok(Location {
                account: Some(account.to_string()),
                container: Some(container.to_string()),
                path: parts.next().unwrap_or("").to_string(),
            });
        }
        if let Some(rest) = text.strip_prefix('/') {
            let (container, path) = rest.split_once('/').unwrap_or((rest, ""));
            if container.is_empty() {
                return Err(CliError::new(format!(
                    "invalid location {text:?}: expected /CONTAINER[/PATH]"
                )));
            }
            return Ok(Location {
                account: None,
                container: Some(container.to_string()),
                path: path.to_string(),
            });
        }
        Ok(Location {
            account: None,
            container: None,
            path: text.to_string(),
        })
    }
}

/// A byte range of kamaki's `--range`: `START-END`, `UPTO` (the first bytes
/// up to and including it), or `-LAST` (the last bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteRange {
    /// Bytes START to END, inclusive.
    FromTo(u64, u64),
    /// The last N bytes.
    Last(u64),
}

impl ByteRange {
    /// Parses a comma list of ranges.
    pub fn parse_list(text: &str) -> CliResult<Vec<ByteRange>> {
        let bad = || {
            CliError::new(format!(
                "invalid range {text:?}: use START-END, UPTO or -LAST, comma-separated"
            ))
        };
        text.split(',')
            .map(|part| {
                let part = part.trim();
                let number = |s: &str| s.trim().parse::<u64>().map_err(|_| bad());
                if let Some(last) = part.strip_prefix('-') {
                    return Ok(ByteRange::Last(number(last)?));
                }
                match part.split_once('-') {
                    Some((start, "")) => Ok(ByteRange::FromTo(number(start)?, u64::MAX)),
                    Some((start, end)) => {
                        let (start, end) = (number(start)?, number(end)?);
                        if start > end {
                            return Err(CliError::new(format!(
                                "invalid range {part:?}: start after end"
                            )));
                        }
                        Ok(ByteRange::FromTo(start, end))
                    }
                    None => Ok(ByteRange::FromTo(0, number(part)?)),
                }
            })
            .collect()
    }

    /// The value of an HTTP `Range` header for these ranges.
    pub fn header(ranges: &[ByteRange]) -> String {
        let parts: Vec<String> = ranges
            .iter()
            .map(|r| match r {
                ByteRange::FromTo(start, u64::MAX) => format!("{start}-"),
                ByteRange::FromTo(start, end) => format!("{start}-{end}"),
                ByteRange::Last(n) => format!("-{n}"),
            })
            .collect();
        format!("bytes={}", parts.join(","))
    }
}

/// Parses a data size: `<number><unit>`, units B, KiB/MiB/GiB/TiB (x1024),
/// KB/MB/GB/TB (x1000), case-insensitive; no unit means bytes.
pub fn parse_size(text: &str) -> CliResult<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let bad = || CliError::new(format!("invalid size {text:?}: e.g. 100, 512KiB, 2GB"));
    let number: f64 = number.parse().map_err(|_| bad())?;
    let factor: f64 = match unit.trim().to_lowercase().as_str() {
        "" | "b" => 1.0,
        "kib" => 1024.0,
        "mib" => 1024f64.powi(2),
        "gib" => 1024f64.powi(3),
        "tib" => 1024f64.powi(4),
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        _ => return Err(bad()),
    };
    let bytes = number * factor;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes.round() as u64)
}

/// Parses a date: ISO 8601 / RFC 3339, `YYYY-mm-dd`, `HH:MM:SS YYYY-mm-dd`,
/// `YYYY-mm-dd HH:MM:SS`, or a Unix timestamp. Dates without a zone are the
/// system's local time, as kamaki reads them.
pub fn parse_date(text: &str) -> CliResult<OffsetDateTime> {
    parse_date_in(text, &crate::local_time::system_zone())
}

/// [`parse_date`] with zoneless dates read in `zone`.
pub fn parse_date_in(text: &str, zone: &jiff::tz::TimeZone) -> CliResult<OffsetDateTime> {
    let local = |date: PrimitiveDateTime| crate::local_time::assume_in(date, zone);
    let text = text.trim();
    if let Ok(stamp) = text.parse::<f64>() {
        if stamp.is_finite() {
            if let Ok(date) = OffsetDateTime::from_unix_timestamp(stamp.trunc() as i64) {
                return Ok(date);
            }
        }
    }
    if let Ok(date) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(date);
    }
    let day = format_description!("[year]-[month]-[day]");
    let clock = format_description!("[hour]:[minute]:[second]");
    if let Ok(date) = Date::parse(text, day) {
        return Ok(local(date.midnight()));
    }
    let pieces: Vec<&str> = text.split([' ', 'T']).filter(|p| !p.is_empty()).collect();
    if let [a, b] = pieces[..] {
        let pair = match (Time::parse(a, clock), Date::parse(b, day)) {
            (Ok(t), Ok(d)) => Some((d, t)),
            _ => match (Date::parse(a, day), Time::parse(b, clock)) {
                (Ok(d), Ok(t)) => Some((d, t)),
                _ => None,
            },
        };
        if let Some((d, t)) = pair {
            return Ok(local(PrimitiveDateTime::new(d, t)));
        }
    }
    Err(CliError::new(format!(
        "invalid date {text:?}: use YYYY-mm-dd, \"HH:MM:SS YYYY-mm-dd\", ISO 8601 or a Unix timestamp"
    )))
}

/// Parses `KEY=VALUE`.
pub fn parse_key_value(text: &str) -> CliResult<(String, String)> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_string(), value.to_string()))
        }
        _ => Err(CliError::new(format!(
            "invalid {text:?}: expected KEY=VALUE"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        let l = Location::parse("pithos://u-1/cont/a/b.txt").unwrap();
        assert_eq!(
            (
                l.account.as_deref(),
                l.container.as_deref(),
                l.path.as_str()
            ),
            (Some("u-1"), Some("cont"), "a/b.txt")
        );
        let l = Location::parse("/cont/dir/").unwrap();
        assert_eq!(
            (l.account, l.container.as_deref(), l.path.as_str()),
            (None, Some("cont"), "dir/")
        );
        let l = Location::parse("/cont").unwrap();
        assert_eq!(
            (l.container.as_deref(), l.path.as_str()),
            (Some("cont"), "")
        );
        let l = Location::parse("plain/path").unwrap();
        assert_eq!((l.container, l.path.as_str()), (None, "plain/path"));
        assert!(Location::parse("pithos://only-account").is_err());
        assert!(Location::parse("//x").is_err());
    }

    #[test]
    fn ranges() {
        let r = ByteRange::parse_list("0-9, 20-, 100, -5").unwrap();
        assert_eq!(
            r,
            vec![
                ByteRange::FromTo(0, 9),
                ByteRange::FromTo(20, u64::MAX),
                ByteRange::FromTo(0, 100),
                ByteRange::Last(5)
            ]
        );
        assert_eq!(ByteRange::header(&r), "bytes=0-9,20-,0-100,-5");
        assert!(ByteRange::parse_list("9-1").is_err());
        assert!(ByteRange::parse_list("a-b").is_err());
        assert!(ByteRange::parse_list("").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100").unwrap(), 100);
        assert_eq!(parse_size("2KiB").unwrap(), 2048);
        assert_eq!(parse_size("1.5 mib").unwrap(), 1_572_864);
        assert_eq!(parse_size("3GB").unwrap(), 3_000_000_000);
        assert!(parse_size("3 parsecs").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("1e400").is_err());
    }

    #[test]
    fn dates() {
        let utc = jiff::tz::TimeZone::UTC;
        let expect = |t: &str, stamp: i64| {
            assert_eq!(
                parse_date_in(t, &utc).unwrap().unix_timestamp(),
                stamp,
                "{t}"
            )
        };
        expect("2024-01-02", 1_704_153_600);
        expect("10:00:00 2024-01-02", 1_704_189_600);
        expect("2024-01-02 10:00:00", 1_704_189_600);
        expect("2024-01-02T10:00:00+02:00", 1_704_182_400);
        expect("1704153600", 1_704_153_600);
        assert!(parse_date("yesterday").is_err());
        let athens = jiff::tz::TimeZone::posix("EET-2EEST,M3.5.0/3,M10.5.0/4").unwrap();
        let in_athens = |t: &str| parse_date_in(t, &athens).unwrap().unix_timestamp();
        assert_eq!(
            in_athens("2024-01-02 10:00:00"),
            1_704_182_400,
            "local, UTC+2"
        );
        assert_eq!(
            in_athens("2024-07-02"),
            1_719_867_600,
            "local midnight, UTC+3"
        );
        assert_eq!(
            in_athens("2024-01-02T10:00:00Z"),
            1_704_189_600,
            "zoned stays"
        );
        assert_eq!(in_athens("1704153600"), 1_704_153_600, "timestamps stay");
    }

    #[test]
    fn key_values() {
        assert_eq!(
            parse_key_value("a=b=c").unwrap(),
            ("a".into(), "b=c".into())
        );
        assert!(parse_key_value("=x").is_err());
        assert!(parse_key_value("novalue").is_err());
    }
}
