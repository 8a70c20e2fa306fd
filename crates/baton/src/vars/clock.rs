//! UTC calendar formatting for the time-based dynamic variables and the reports, on the `time`
//! crate.
//!
//! Two shapes are needed: ISO-8601 with milliseconds (`$isoTimestamp`, report timestamps) and
//! JavaScript's `Date.prototype.toString()` (`$randomDatePast` and friends). Baton renders both in
//! UTC because the library never reads the process environment, where a local time zone would
//! come from.

use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

/// Milliseconds in one day.
pub(super) const DAY_MS: i64 = 86_400_000;

/// English month names, January first; JavaScript's short forms are their first three letters.
pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// English weekday names, Sunday first as JavaScript's `getDay()` counts.
pub(super) const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// A UTC instant split into calendar fields.
struct Civil {
    year: i32,
    month: usize,
    day: u8,
    weekday: usize,
    hour: u8,
    minute: u8,
    second: u8,
    millis: u16,
}

/// Milliseconds since the Unix epoch, now (0 if the clock reads before 1970).
pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Splits `ms` since the epoch into UTC calendar fields (the epoch itself past year 9999).
fn civil(ms: i64) -> Civil {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    Civil {
        year: at.year(),
        month: usize::from(u8::from(at.month())),
        day: at.day(),
        weekday: usize::from(at.weekday().number_days_from_sunday()),
        hour: at.hour(),
        minute: at.minute(),
        second: at.second(),
        millis: at.millisecond(),
    }
}

/// `2023-11-14T22:13:20.123Z`, as JavaScript's `Date.prototype.toISOString()` writes years 0..=9999.
pub(crate) fn iso_8601(ms: i64) -> String {
    let c = civil(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis
    )
}

/// `Tue Nov 14 2023 22:13:20 GMT+0000 (Coordinated Universal Time)`, JavaScript's
/// `Date.prototype.toString()` in the UTC time zone.
pub(super) fn js_date_string(ms: i64) -> String {
    let c = civil(ms);
    format!(
        "{} {} {:02} {:04} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
        &WEEKDAYS[c.weekday][..3],
        &MONTHS[c.month - 1][..3],
        c.day,
        c.year,
        c.hour,
        c.minute,
        c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings were printed by Node.js 20 with TZ=UTC.

    #[test]
    fn epoch_formats_as_1970() {
        assert_eq!(iso_8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            js_date_string(0),
            "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)"
        );
    }

    #[test]
    fn instant_before_epoch_rolls_back_a_day() {
        assert_eq!(iso_8601(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            js_date_string(-1),
            "Wed Dec 31 1969 23:59:59 GMT+0000 (Coordinated Universal Time)"
        );
    }

    #[test]
    fn leap_day_of_a_400_year_is_found() {
        assert_eq!(iso_8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert!(js_date_string(951_782_400_000).starts_with("Tue Feb 29 2000"));
    }

    #[test]
    fn milliseconds_are_kept_in_iso_form() {
        assert_eq!(iso_8601(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(
            js_date_string(1_700_000_000_123),
            "Tue Nov 14 2023 22:13:20 GMT+0000 (Coordinated Universal Time)"
        );
    }

    #[test]
    fn calendar_edges_match_javascript() {
        assert_eq!(iso_8601(253_402_300_799_999), "9999-12-31T23:59:59.999Z");
        assert_eq!(iso_8601(-62_135_596_800_000), "0001-01-01T00:00:00.000Z");
        assert!(js_date_string(-62_135_596_800_000).starts_with("Mon Jan 01 0001"));
    }

    #[test]
    fn now_is_after_2020() {
        assert!(now_millis() > 1_577_836_800_000);
    }
}
