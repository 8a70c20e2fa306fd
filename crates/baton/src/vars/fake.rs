//! Composite fake values (names, addresses, internet, finance, lorem, files) for dynamic variables.
//!
//! Each function produces a value of the same shape as the faker 5 call Postman makes for the
//! matching `$random*` variable; the words come from [`super::words`].

use rand::Rng;

use super::words::*;

/// A uniformly chosen element of a non-empty list.
pub(super) fn pick<T: Copy>(list: &[T]) -> T {
    list[rand::rng().random_range(0..list.len())]
}

/// A uniformly chosen integer in `low..=high`.
pub(super) fn int(low: u32, high: u32) -> u32 {
    rand::rng().random_range(low..=high)
}

/// `count` random decimal digits (leading zeros kept, as faker's account numbers do).
pub(super) fn digits(count: usize) -> String {
    (0..count)
        .map(|_| char::from(b'0' + int(0, 9) as u8))
        .collect()
}

/// `count` random lowercase hexadecimal digits.
pub(super) fn hex(count: usize) -> String {
    (0..count).map(|_| format!("{:x}", int(0, 15))).collect()
}

/// `count` characters drawn from `alphabet`.
fn chars_from(alphabet: &[u8], count: usize) -> String {
    (0..count).map(|_| char::from(pick(alphabet))).collect()
}

/// Upper-cases the first character.
fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "Maya Novak", now and then with a prefix or suffix as faker's `findName` does.
pub(super) fn full_name() -> String {
    let name = format!("{} {}", pick(FIRST_NAMES), pick(LAST_NAMES));
    match int(0, 9) {
        0 => format!("{} {name}", pick(NAME_PREFIXES)),
        1 => format!("{name} {}", pick(NAME_SUFFIXES)),
        _ => name,
    }
}

/// "Regional Solutions Facilitator".
pub(super) fn job_title() -> String {
    format!(
        "{} {} {}",
        pick(JOB_DESCRIPTORS),
        pick(JOB_AREAS),
        pick(JOB_TYPES)
    )
}

/// "Maya.Novak42", "Ivan_Rossi" or "Kai7".
pub(super) fn user_name() -> String {
    let first = pick(FIRST_NAMES);
    let separator = pick(&[".", "_"]);
    match int(0, 2) {
        0 => format!("{first}{}", int(0, 99)),
        1 => format!("{first}{separator}{}", pick(LAST_NAMES)),
        _ => format!("{first}{separator}{}{}", pick(LAST_NAMES), int(0, 99)),
    }
}

/// "North Mayaton", "Lake Ivan", "Rossiberg".
pub(super) fn city() -> String {
    match int(0, 2) {
        0 => format!(
            "{} {}{}",
            pick(CITY_PREFIXES),
            pick(FIRST_NAMES),
            pick(CITY_SUFFIXES)
        ),
        1 => format!("{} {}", pick(CITY_PREFIXES), pick(FIRST_NAMES)),
        _ => format!("{}{}", pick(LAST_NAMES), pick(CITY_SUFFIXES)),
    }
}

/// "Novak Avenue".
pub(super) fn street_name() -> String {
    let name = if int(0, 1) == 0 {
        pick(FIRST_NAMES)
    } else {
        pick(LAST_NAMES)
    };
    format!("{name} {}", pick(STREET_SUFFIXES))
}

/// "7498 Novak Avenue" (a 3 to 5 digit house number).
pub(super) fn street_address() -> String {
    format!("{} {}", digits(int(3, 5) as usize), street_name())
}

/// A coordinate within `-limit..=limit` with four decimals, as faker's latitude and longitude.
pub(super) fn coordinate(limit: u32) -> String {
    let scaled = i64::from(int(0, limit * 20_000)) - i64::from(limit) * 10_000;
    let sign = if scaled < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:04}",
        scaled.abs() / 10_000,
        scaled.abs() % 10_000
    )
}

/// "Rossi Group", "Bauer - Okafor" or "Walsh, Young and Xu".
pub(super) fn company_name() -> String {
    match int(0, 2) {
        0 => format!("{} {}", pick(LAST_NAMES), pick(COMPANY_SUFFIXES)),
        1 => format!("{} - {}", pick(LAST_NAMES), pick(LAST_NAMES)),
        _ => format!(
            "{}, {} and {}",
            pick(LAST_NAMES),
            pick(LAST_NAMES),
            pick(LAST_NAMES)
        ),
    }
}

/// "Optimized discrete firmware".
pub(super) fn catch_phrase() -> String {
    let adjective = pick(CATCH_PHRASE_ADJECTIVES);
    format!(
        "{adjective} {} {}",
        pick(CATCH_PHRASE_DESCRIPTORS),
        pick(CATCH_PHRASE_NOUNS)
    )
}

/// "cultivate proactive vortals".
pub(super) fn bs() -> String {
    format!(
        "{} {} {}",
        pick(BS_BUZZ),
        pick(BS_ADJECTIVES),
        pick(BS_NOUNS)
    )
}

/// "Handmade Rubber Table".
pub(super) fn product_name() -> String {
    format!(
        "{} {} {}",
        pick(PRODUCT_ADJECTIVES),
        pick(PRODUCT_MATERIALS),
        pick(PRODUCTS)
    )
}

/// A price between 0.00 and 1000.00 with two decimals, like faker's `finance.amount`.
pub(super) fn price() -> String {
    let cents = int(0, 100_000);
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// An IBAN with valid ISO 13616 check digits, for a few countries' formats.
pub(super) fn iban() -> String {
    // Country, then the national part as a pattern: 'n' a digit, 'a' an upper-case letter.
    const FORMATS: &[(&str, &str)] = &[
        ("DE", "nnnnnnnnnnnnnnnnnn"),
        ("GB", "aaaannnnnnnnnnnnnn"),
        ("FR", "nnnnnnnnnnnnnnnnnnnnnnn"),
        ("NL", "aaaannnnnnnnnn"),
        ("NO", "nnnnnnnnnnn"),
        ("MT", "aaaannnnnnnnnnnnnnnnnnnnnnn"),
    ];
    let (country, pattern) = pick(FORMATS);
    let bban: String = pattern
        .chars()
        .map(|c| match c {
            'a' => char::from(b'A' + int(0, 25) as u8),
            _ => char::from(b'0' + int(0, 9) as u8),
        })
        .collect();
    let check = 98 - mod97(&format!("{bban}{country}00"));
    format!("{country}{check:02}{bban}")
}

/// The remainder mod 97 of an IBAN-style string, letters counting as 10..=35.
pub(super) fn mod97(text: &str) -> u32 {
    text.chars().fold(0, |rest, c| {
        let value = c.to_digit(36).unwrap_or(0);
        let shift = if value >= 10 { 100 } else { 10 };
        (rest * shift + value) % 97
    })
}

/// A BIC: bank, country and location codes, sometimes with a branch code (8 or 11 characters).
pub(super) fn bic() -> String {
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let (_, country) = pick(COUNTRIES);
    let branch = if int(0, 1) == 0 {
        chars_from(UPPER_DIGITS, 3)
    } else {
        String::new()
    };
    format!(
        "{}{country}{}{branch}",
        chars_from(UPPER, 4),
        chars_from(UPPER_DIGITS, 2)
    )
}

/// A legacy bitcoin address: `1` or `3`, then 25 to 33 base58 characters.
pub(super) fn bitcoin() -> String {
    const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    format!(
        "{}{}",
        pick(&["1", "3"]),
        chars_from(BASE58, int(25, 33) as usize)
    )
}

/// An unqualified host name: a lower-cased first name.
pub(super) fn domain_word() -> String {
    pick(FIRST_NAMES).to_lowercase()
}

/// "maya.net".
pub(super) fn domain_name() -> String {
    format!("{}.{}", domain_word(), pick(DOMAIN_SUFFIXES))
}

/// "Maya.Novak42@gmail.com".
pub(super) fn email() -> String {
    format!("{}@{}", user_name(), pick(FREE_EMAIL_DOMAINS))
}

/// "Maya.Novak42@example.org".
pub(super) fn example_email() -> String {
    format!("{}@example.{}", user_name(), pick(&["com", "net", "org"]))
}

/// A dotted-quad IPv4 address.
pub(super) fn ipv4() -> String {
    let octets: Vec<String> = (0..4).map(|_| int(0, 255).to_string()).collect();
    octets.join(".")
}

/// Eight groups of four lowercase hex digits.
pub(super) fn ipv6() -> String {
    let groups: Vec<String> = (0..8).map(|_| hex(4)).collect();
    groups.join(":")
}

/// Six colon-separated hex pairs.
pub(super) fn mac_address() -> String {
    let pairs: Vec<String> = (0..6).map(|_| hex(2)).collect();
    pairs.join(":")
}

/// 15 characters of letters, digits and underscores.
pub(super) fn password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    chars_from(ALPHABET, 15)
}

/// One lower-case letter or digit.
pub(super) fn alpha_numeric() -> String {
    chars_from(b"abcdefghijklmnopqrstuvwxyz0123456789", 1)
}

/// A browser user agent string with random versions.
pub(super) fn user_agent() -> String {
    let platform = pick(UA_PLATFORMS);
    if int(0, 1) == 0 {
        let version = int(60, 130);
        format!("Mozilla/5.0 ({platform}; rv:{version}.0) Gecko/20100101 Firefox/{version}.0")
    } else {
        let webkit = format!("537.{}", int(1, 36));
        let chrome = format!("{}.0.{}.{}", int(60, 130), int(1000, 6999), int(0, 200));
        format!(
            "Mozilla/5.0 ({platform}) AppleWebKit/{webkit} (KHTML, like Gecko) \
             Chrome/{chrome} Safari/{webkit}"
        )
    }
}

/// `count` lorem words separated by spaces.
pub(super) fn lorem_words(count: usize) -> Vec<&'static str> {
    (0..count).map(|_| pick(LOREM)).collect()
}

/// A capitalised lorem sentence of 3 to 10 words ending in a full stop.
pub(super) fn lorem_sentence() -> String {
    let words = lorem_words(int(3, 10) as usize).join(" ");
    format!("{}.", capitalize(&words))
}

/// `count` lorem sentences joined by `separator`.
pub(super) fn lorem_sentences(count: u32, separator: &str) -> String {
    let sentences: Vec<String> = (0..count).map(|_| lorem_sentence()).collect();
    sentences.join(separator)
}

/// A lorem paragraph of 3 to 6 sentences.
pub(super) fn lorem_paragraph() -> String {
    lorem_sentences(int(3, 6), " ")
}

/// "We need to parse the wireless RAM driver!" style technical nonsense.
pub(super) fn hacker_phrase() -> String {
    let (verb, ingverb) = pick(HACKER_VERBS);
    let (abbreviation, adjective, noun) = (
        pick(ABBREVIATIONS),
        pick(HACKER_ADJECTIVES),
        pick(HACKER_NOUNS),
    );
    match int(0, 2) {
        0 => format!(
            "If we {verb} the {noun}, we can get to the {abbreviation} {noun} through the {adjective} {abbreviation} {noun}!"
        ),
        1 => format!("We need to {verb} the {adjective} {abbreviation} {noun}!"),
        _ => format!(
            "Try {ingverb} the {abbreviation} {noun}, maybe it will {verb} the {adjective} {noun}!"
        ),
    }
}

/// Two to five words from mixed vocabularies, as faker's `random.words`.
pub(super) fn random_words() -> String {
    let words: Vec<&str> = (0..int(2, 5)).map(|_| random_word()).collect();
    words.join(" ")
}

/// One word from any of the vocabularies, as faker's `random.word`.
pub(super) fn random_word() -> &'static str {
    let lists: [&[&'static str]; 6] = [
        PRODUCTS,
        COLORS,
        BS_NOUNS,
        HACKER_NOUNS,
        DEPARTMENTS,
        JOB_AREAS,
    ];
    pick(pick(&lists))
}

/// "franc_account_guarani.rmvb": lower-case words joined by `_` and an extension.
pub(super) fn file_name(extension: &str) -> String {
    let words: Vec<String> = (0..int(1, 3))
        .map(|_| random_word().to_lowercase().replace(' ', "_"))
        .collect();
    format!("{}.{extension}", words.join("_"))
}

/// A semantic version `x.y.z` with single-digit parts, as faker writes them.
pub(super) fn semver() -> String {
    format!("{}.{}.{}", int(0, 9), int(0, 9), int(0, 9))
}

/// An SVG placeholder image as a percent-encoded data URI.
pub(super) fn image_data_uri() -> String {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" baseProfile=\"full\" \
               width=\"640\" height=\"480\"><rect width=\"100%\" height=\"100%\" fill=\"grey\"/>\
               <text x=\"320\" y=\"240\" font-size=\"20\" alignment-baseline=\"middle\" \
               text-anchor=\"middle\" fill=\"white\">640x480</text></svg>";
    format!(
        "data:image/svg+xml;charset=UTF-8,{}",
        encode_uri_component(svg)
    )
}

/// Percent-encodes everything JavaScript's `encodeURIComponent` would (space as `%20`, `!'()*` kept).
pub fn encode_uri_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_check_digits_are_valid() {
        for _ in 0..50 {
            let iban = iban();
            let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
            assert_eq!(mod97(&rearranged), 1, "{iban}");
            assert!((15..=31).contains(&iban.len()), "{iban}");
        }
    }

    #[test]
    fn mod97_of_a_published_example_iban_is_one() {
        assert_eq!(mod97("370400440532013000DE89"), 1);
    }

    #[test]
    fn coordinates_stay_in_range_with_four_decimals() {
        for _ in 0..200 {
            let latitude = coordinate(90);
            let value: f64 = latitude.parse().unwrap();
            assert!((-90.0..=90.0).contains(&value), "{latitude}");
            assert_eq!(
                latitude.split('.').nth(1).map(str::len),
                Some(4),
                "{latitude}"
            );
        }
    }

    #[test]
    fn capitalize_handles_empty_and_words() {
        assert_eq!(capitalize(""), "");
        assert_eq!(capitalize("lorem ipsum"), "Lorem ipsum");
    }

    #[test]
    fn percent_encode_matches_encode_uri_component() {
        assert_eq!(
            encode_uri_component("<a b=\"c\"/>"),
            "%3Ca%20b%3D%22c%22%2F%3E"
        );
        assert_eq!(encode_uri_component("100%"), "100%25");
    }
}
