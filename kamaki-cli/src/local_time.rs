//! The user's time zone, as kamaki reads dates: a date typed without a zone
//! is local time, and dates are shown in local time. The zone is the
//! system's (`TZ`, else `/etc/localtime`), read by jiff, which is safe in a
//! multi-threaded process (the `time` crate's local offset is not).

use jiff::tz::TimeZone;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The system's time zone, UTC when it cannot be read.
pub fn system_zone() -> TimeZone {
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

/// The instant a zoneless date names in `zone`. A time skipped or repeated
/// by a daylight saving change is read as the clocks did before the change.
pub fn assume_in(date: PrimitiveDateTime, zone: &TimeZone) -> OffsetDateTime {
    let civil = jiff::civil::DateTime::new(
        date.year() as i16,
        u8::from(date.month()) as i8,
        date.day() as i8,
        date.hour() as i8,
        date.minute() as i8,
        date.second() as i8,
        0,
    );
    let offset = civil
        .ok()
        .and_then(|civil| zone.to_ambiguous_timestamp(civil).compatible().ok())
        .map(|instant| zone.to_offset(instant).seconds());
    let offset = offset
        .and_then(|seconds| UtcOffset::from_whole_seconds(seconds).ok())
        .unwrap_or(UtcOffset::UTC);
    date.assume_offset(offset)
}

/// `date` as seen on the clocks of `zone`.
pub fn to_zone(date: OffsetDateTime, zone: &TimeZone) -> OffsetDateTime {
    let offset = jiff::Timestamp::from_second(date.unix_timestamp())
        .ok()
        .map(|instant| zone.to_offset(instant).seconds())
        .and_then(|seconds| UtcOffset::from_whole_seconds(seconds).ok())
        .unwrap_or(UtcOffset::UTC);
    date.to_offset(offset)
}

/// Today's date on the local clocks, `YYYY-mm-dd`.
pub fn today() -> String {
    let now = to_zone(OffsetDateTime::now_utc(), &system_zone());
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn athens() -> TimeZone {
        TimeZone::posix("EET-2EEST,M3.5.0/3,M10.5.0/4").unwrap()
    }

    #[test]
    fn zoneless_dates_follow_the_zone_and_its_summer_time() {
        let winter = assume_in(datetime!(2024-01-02 10:00:00), &athens());
        assert_eq!(winter.unix_timestamp(), 1_704_182_400, "UTC+2");
        let summer = assume_in(datetime!(2024-07-02 10:00:00), &athens());
        assert_eq!(summer.unix_timestamp(), 1_719_903_600, "UTC+3");
        let utc = assume_in(datetime!(2024-01-02 10:00:00), &TimeZone::UTC);
        assert_eq!(utc.unix_timestamp(), 1_704_189_600);
    }

    #[test]
    fn instants_are_shown_on_the_zone_clocks() {
        let instant = OffsetDateTime::from_unix_timestamp(1_719_903_600).unwrap();
        let local = to_zone(instant, &athens());
        assert_eq!((local.hour(), local.offset().whole_hours()), (10, 3));
        assert_eq!(to_zone(instant, &TimeZone::UTC).hour(), 7);
    }
}
