//! UTC calendar formatting for the time-based dynamic variables, without a date crate.
//!
//! Only two shapes are needed: ISO-8601 with milliseconds (`$isoTimestamp`) and JavaScript's
//! `Date.prototype.toString()` (`$randomDatePast` and friends). Baton renders both in UTC because
//! the library never reads the process environment, where a local time zone would come from.

use std::time::{SystemTime, UNIX_EPOCH};

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
    year: i64,
    month: usize,
    day: i64,
    weekday: usize,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
}

/// Milliseconds since the Unix epoch, now (0 if the clock reads before 1970).
pub(super) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The proleptic Gregorian (year, month 1..=12, day) of a day count since 1970-01-01.
///
/// Howard Hinnant's civil-from-days: shift the epoch to 0000-03-01 so the leap day ends each
/// 400-year era's year, then peel off eras, years of era and days of year.
fn civil_from_days(days: i64) -> (i64, usize, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as usize, day)
}

/// Splits `ms` since the epoch into UTC calendar fields.
fn civil(ms: i64) -> Civil {
    let days = ms.div_euclid(DAY_MS);
    let in_day = ms.rem_euclid(DAY_MS);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        // 1970-01-01 was a Thursday.
        weekday: (days + 4).rem_euclid(7) as usize,
        hour: in_day / 3_600_000,
        minute: in_day / 60_000 % 60,
        second: in_day / 1_000 % 60,
        millis: in_day % 1_000,
    }
}

/// `2023-11-14T22:13:20.123Z`, as JavaScript's `Date.prototype.toISOString()` writes years 0..=9999.
pub(super) fn iso_8601(ms: i64) -> String {
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
