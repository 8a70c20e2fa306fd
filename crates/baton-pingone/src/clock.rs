//! Wall-clock helpers: Unix seconds for token claims and the ISO-8601 form PingOne prints in
//! `createdAt`/`updatedAt`, without pulling in a date library for two small conversions.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SS.000Z`, the shape PingOne uses for timestamps.
pub(crate) fn iso8601(unix_seconds: u64) -> String {
    let days = unix_seconds / 86_400;
    let of_day = unix_seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// The current time in [`iso8601`] form.
pub(crate) fn iso_now() -> String {
    iso8601(unix_now())
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day), after Howard
/// Hinnant's `civil_from_days`, restricted to dates after the epoch.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let shifted = days + 719_468;
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_formats_as_first_of_january_1970() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn leap_day_and_time_of_day_are_formatted() {
        // 2024-02-29T13:54:34Z
        assert_eq!(iso8601(1_709_214_874), "2024-02-29T13:54:34.000Z");
    }

    #[test]
    fn end_of_year_rolls_into_next_year() {
        assert_eq!(iso8601(1_704_067_199), "2023-12-31T23:59:59.000Z");
        assert_eq!(iso8601(1_704_067_200), "2024-01-01T00:00:00.000Z");
    }
}
