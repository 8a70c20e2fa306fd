//! Postman's dynamic variables (`{{$guid}}`, `{{$timestamp}}`, `{{$randomEmail}}`, ...).
//!
//! The names are exactly those of postman-collection 4.4.0 (the version Newman 6.2.2 bundles), in
//! its order. Values are generated afresh on every call and have the same shape as Postman's, but
//! come from Baton's own small word lists rather than faker's, and dates are rendered in UTC.

use super::clock::{self, DAY_MS, MONTHS, WEEKDAYS};
use super::fake::{self, int, pick};
use super::words::*;

/// Every dynamic variable name Postman knows (118), with the leading `$`.
pub const DYNAMIC_NAMES: &[&str] = &[
    "$guid",
    "$timestamp",
    "$isoTimestamp",
    "$randomInt",
    "$randomPhoneNumber",
    "$randomPhoneNumberExt",
    "$randomLocale",
    "$randomWords",
    "$randomFilePath",
    "$randomDirectoryPath",
    "$randomCity",
    "$randomStreetName",
    "$randomStreetAddress",
    "$randomCountry",
    "$randomCountryCode",
    "$randomLatitude",
    "$randomLongitude",
    "$randomColor",
    "$randomDepartment",
    "$randomProductName",
    "$randomProductAdjective",
    "$randomProductMaterial",
    "$randomProduct",
    "$randomCompanyName",
    "$randomCompanySuffix",
    "$randomCatchPhrase",
    "$randomBs",
    "$randomCatchPhraseAdjective",
    "$randomCatchPhraseDescriptor",
    "$randomCatchPhraseNoun",
    "$randomBsAdjective",
    "$randomBsBuzz",
    "$randomBsNoun",
    "$randomDatabaseColumn",
    "$randomDatabaseType",
    "$randomDatabaseCollation",
    "$randomDatabaseEngine",
    "$randomDatePast",
    "$randomDateFuture",
    "$randomDateRecent",
    "$randomMonth",
    "$randomWeekday",
    "$randomBankAccount",
    "$randomBankAccountName",
    "$randomCreditCardMask",
    "$randomPrice",
    "$randomTransactionType",
    "$randomCurrencyCode",
    "$randomCurrencyName",
    "$randomCurrencySymbol",
    "$randomBitcoin",
    "$randomBankAccountIban",
    "$randomBankAccountBic",
    "$randomAbbreviation",
    "$randomAdjective",
    "$randomNoun",
    "$randomVerb",
    "$randomIngverb",
    "$randomPhrase",
    "$randomAvatarImage",
    "$randomImageUrl",
    "$randomAbstractImage",
    "$randomAnimalsImage",
    "$randomBusinessImage",
    "$randomCatsImage",
    "$randomCityImage",
    "$randomFoodImage",
    "$randomNightlifeImage",
    "$randomFashionImage",
    "$randomPeopleImage",
    "$randomNatureImage",
    "$randomSportsImage",
    "$randomTransportImage",
    "$randomImageDataUri",
    "$randomEmail",
    "$randomExampleEmail",
    "$randomUserName",
    "$randomProtocol",
    "$randomUrl",
    "$randomDomainName",
    "$randomDomainSuffix",
    "$randomDomainWord",
    "$randomIP",
    "$randomIPV6",
    "$randomUserAgent",
    "$randomHexColor",
    "$randomMACAddress",
    "$randomPassword",
    "$randomLoremWord",
    "$randomLoremWords",
    "$randomLoremSentence",
    "$randomLoremSlug",
    "$randomLoremSentences",
    "$randomLoremParagraph",
    "$randomLoremParagraphs",
    "$randomLoremText",
    "$randomLoremLines",
    "$randomFirstName",
    "$randomLastName",
    "$randomFullName",
    "$randomJobTitle",
    "$randomNamePrefix",
    "$randomNameSuffix",
    "$randomJobDescriptor",
    "$randomJobArea",
    "$randomJobType",
    "$randomUUID",
    "$randomBoolean",
    "$randomWord",
    "$randomAlphaNumeric",
    "$randomFileName",
    "$randomCommonFileName",
    "$randomMimeType",
    "$randomCommonFileType",
    "$randomCommonFileExt",
    "$randomFileType",
    "$randomFileExt",
    "$randomSemver",
];

/// Image categories of the placeholder-image variables, by variable name.
const IMAGE_CATEGORIES: &[(&str, &str)] = &[
    ("$randomAbstractImage", "abstract"),
    ("$randomAnimalsImage", "animals"),
    ("$randomBusinessImage", "business"),
    ("$randomCatsImage", "cats"),
    ("$randomCityImage", "city"),
    ("$randomFoodImage", "food"),
    ("$randomNightlifeImage", "nightlife"),
    ("$randomFashionImage", "fashion"),
    ("$randomPeopleImage", "people"),
    ("$randomNatureImage", "nature"),
    ("$randomSportsImage", "sports"),
    ("$randomTransportImage", "transport"),
];

/// The placeholder-image service faker 5 points at.
const IMAGE_BASE: &str = "http://placeimg.com/640/480";

/// A UTC date `offset_ms` from now (negative for the past), as JavaScript's `Date.toString()`.
fn date_from_now(offset_ms: i64) -> String {
    clock::js_date_string(clock::now_millis() + offset_ms)
}

/// A random number of milliseconds in `1..=span_ms`.
fn random_span(span_ms: i64) -> i64 {
    rand::random_range(1..=span_ms)
}

/// A fresh value for a dynamic variable, or None if the name is not one.
pub fn dynamic_value(name: &str) -> Option<String> {
    let value = match name {
        "$guid" | "$randomUUID" => uuid::Uuid::new_v4().to_string(),
        "$timestamp" => (clock::now_millis() / 1_000).to_string(),
        "$isoTimestamp" => clock::iso_8601(clock::now_millis()),
        "$randomInt" => int(0, 1_000).to_string(),
        "$randomPhoneNumber" => format!(
            "{}-{}-{}",
            fake::digits(3),
            fake::digits(3),
            fake::digits(4)
        ),
        "$randomPhoneNumberExt" => {
            format!(
                "{}-{}-{}-{}",
                int(1, 99),
                fake::digits(3),
                fake::digits(3),
                fake::digits(4)
            )
        }
        "$randomLocale" => pick(LOCALES).to_owned(),
        "$randomWords" => fake::random_words(),
        "$randomFilePath" => {
            format!(
                "{}/{}",
                pick(DIRECTORY_PATHS),
                fake::file_name(pick(MIME_TYPES).1)
            )
        }
        "$randomDirectoryPath" => pick(DIRECTORY_PATHS).to_owned(),
        "$randomCity" => fake::city(),
        "$randomStreetName" => fake::street_name(),
        "$randomStreetAddress" => fake::street_address(),
        "$randomCountry" => pick(COUNTRIES).0.to_owned(),
        "$randomCountryCode" => pick(COUNTRIES).1.to_owned(),
        "$randomLatitude" => fake::coordinate(90),
        "$randomLongitude" => fake::coordinate(180),
        "$randomColor" => pick(COLORS).to_owned(),
        "$randomDepartment" => pick(DEPARTMENTS).to_owned(),
        "$randomProductName" => fake::product_name(),
        "$randomProductAdjective" => pick(PRODUCT_ADJECTIVES).to_owned(),
        "$randomProductMaterial" => pick(PRODUCT_MATERIALS).to_owned(),
        "$randomProduct" => pick(PRODUCTS).to_owned(),
        "$randomCompanyName" => fake::company_name(),
        "$randomCompanySuffix" => pick(COMPANY_SUFFIXES).to_owned(),
        "$randomCatchPhrase" => fake::catch_phrase(),
        "$randomBs" => fake::bs(),
        "$randomCatchPhraseAdjective" => pick(CATCH_PHRASE_ADJECTIVES).to_owned(),
        "$randomCatchPhraseDescriptor" => pick(CATCH_PHRASE_DESCRIPTORS).to_owned(),
        "$randomCatchPhraseNoun" => pick(CATCH_PHRASE_NOUNS).to_owned(),
        "$randomBsAdjective" => pick(BS_ADJECTIVES).to_owned(),
        "$randomBsBuzz" => pick(BS_BUZZ).to_owned(),
        "$randomBsNoun" => pick(BS_NOUNS).to_owned(),
        "$randomDatabaseColumn" => pick(DB_COLUMNS).to_owned(),
        "$randomDatabaseType" => pick(DB_TYPES).to_owned(),
        "$randomDatabaseCollation" => pick(DB_COLLATIONS).to_owned(),
        "$randomDatabaseEngine" => pick(DB_ENGINES).to_owned(),
        // faker's defaults: within a year back or ahead, and within the last day.
        "$randomDatePast" => date_from_now(-random_span(365 * DAY_MS)),
        "$randomDateFuture" => date_from_now(random_span(365 * DAY_MS)),
        "$randomDateRecent" => date_from_now(-random_span(DAY_MS)),
        "$randomMonth" => pick(&MONTHS).to_owned(),
        "$randomWeekday" => pick(&WEEKDAYS).to_owned(),
        "$randomBankAccount" => fake::digits(8),
        "$randomBankAccountName" => format!("{} Account", pick(ACCOUNT_KINDS)),
        "$randomCreditCardMask" => fake::digits(4),
        "$randomPrice" => fake::price(),
        "$randomTransactionType" => pick(TRANSACTION_TYPES).to_owned(),
        "$randomCurrencyCode" => pick(CURRENCIES).0.to_owned(),
        "$randomCurrencyName" => pick(CURRENCIES).1.to_owned(),
        "$randomCurrencySymbol" => pick(CURRENCIES).2.to_owned(),
        "$randomBitcoin" => fake::bitcoin(),
        "$randomBankAccountIban" => fake::iban(),
        "$randomBankAccountBic" => fake::bic(),
        "$randomAbbreviation" => pick(ABBREVIATIONS).to_owned(),
        "$randomAdjective" => pick(HACKER_ADJECTIVES).to_owned(),
        "$randomNoun" => pick(HACKER_NOUNS).to_owned(),
        "$randomVerb" => pick(HACKER_VERBS).0.to_owned(),
        "$randomIngverb" => pick(HACKER_VERBS).1.to_owned(),
        "$randomPhrase" => fake::hacker_phrase(),
        "$randomAvatarImage" => format!(
            "https://cdn.fakercloud.com/avatars/{}_128.jpg",
            fake::user_name().to_lowercase()
        ),
        "$randomImageUrl" => IMAGE_BASE.to_owned(),
        "$randomImageDataUri" => fake::image_data_uri(),
        "$randomEmail" => fake::email(),
        "$randomExampleEmail" => fake::example_email(),
        "$randomUserName" => fake::user_name(),
        "$randomProtocol" => pick(&["http", "https"]).to_owned(),
        "$randomUrl" => format!("{}://{}", pick(&["http", "https"]), fake::domain_name()),
        "$randomDomainName" => fake::domain_name(),
        "$randomDomainSuffix" => pick(DOMAIN_SUFFIXES).to_owned(),
        "$randomDomainWord" => fake::domain_word(),
        "$randomIP" => fake::ipv4(),
        "$randomIPV6" => fake::ipv6(),
        "$randomUserAgent" => fake::user_agent(),
        "$randomHexColor" => format!("#{}", fake::hex(6)),
        "$randomMACAddress" => fake::mac_address(),
        "$randomPassword" => fake::password(),
        "$randomLoremWord" => pick(LOREM).to_owned(),
        "$randomLoremWords" => fake::lorem_words(3).join(" "),
        "$randomLoremSentence" => fake::lorem_sentence(),
        "$randomLoremSlug" => fake::lorem_words(3).join("-"),
        "$randomLoremSentences" => fake::lorem_sentences(int(2, 6), " "),
        "$randomLoremParagraph" => fake::lorem_paragraph(),
        // faker separates paragraphs with "\n \r".
        "$randomLoremParagraphs" => [
            fake::lorem_paragraph(),
            fake::lorem_paragraph(),
            fake::lorem_paragraph(),
        ]
        .join("\n \r"),
        "$randomLoremText" => fake::lorem_sentences(int(1, 3), "\n"),
        "$randomLoremLines" => fake::lorem_sentences(int(1, 5), "\n"),
        "$randomFirstName" => pick(FIRST_NAMES).to_owned(),
        "$randomLastName" => pick(LAST_NAMES).to_owned(),
        "$randomFullName" => fake::full_name(),
        "$randomJobTitle" => fake::job_title(),
        "$randomNamePrefix" => pick(NAME_PREFIXES).to_owned(),
        "$randomNameSuffix" => pick(NAME_SUFFIXES).to_owned(),
        "$randomJobDescriptor" => pick(JOB_DESCRIPTORS).to_owned(),
        "$randomJobArea" => pick(JOB_AREAS).to_owned(),
        "$randomJobType" => pick(JOB_TYPES).to_owned(),
        "$randomBoolean" => rand::random::<bool>().to_string(),
        "$randomWord" => fake::random_word().to_owned(),
        "$randomAlphaNumeric" => fake::alpha_numeric(),
        "$randomFileName" => fake::file_name(pick(MIME_TYPES).1),
        "$randomCommonFileName" => fake::file_name(pick(&MIME_TYPES[..COMMON_MIME_COUNT]).1),
        "$randomMimeType" => pick(MIME_TYPES).0.to_owned(),
        "$randomCommonFileType" => top_level_type(pick(&MIME_TYPES[..COMMON_MIME_COUNT]).0),
        "$randomCommonFileExt" => pick(&MIME_TYPES[..COMMON_MIME_COUNT]).1.to_owned(),
        "$randomFileType" => top_level_type(pick(MIME_TYPES).0),
        "$randomFileExt" => pick(MIME_TYPES).1.to_owned(),
        "$randomSemver" => fake::semver(),
        _ => {
            let (_, category) = IMAGE_CATEGORIES.iter().find(|(n, _)| *n == name)?;
            format!("{IMAGE_BASE}/{category}")
        }
    };
    Some(value)
}

/// The part of a MIME type before the slash (`image` for `image/png`).
fn top_level_type(mime: &str) -> String {
    mime.split('/').next().unwrap_or(mime).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn value(name: &str) -> String {
        dynamic_value(name).unwrap_or_else(|| panic!("{name} should be dynamic"))
    }

    fn all_digits(text: &str) -> bool {
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
    }

    fn all_hex(text: &str) -> bool {
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit())
    }

    #[test]
    fn there_are_exactly_118_unique_names() {
        let unique: HashSet<&str> = DYNAMIC_NAMES.iter().copied().collect();
        assert_eq!(DYNAMIC_NAMES.len(), 118);
        assert_eq!(unique.len(), 118);
        assert!(DYNAMIC_NAMES.iter().all(|n| n.starts_with('$')));
    }

    #[test]
    fn every_name_yields_a_non_empty_value() {
        for name in DYNAMIC_NAMES {
            assert!(!value(name).is_empty(), "{name}");
        }
    }

    #[test]
    fn unknown_names_yield_none() {
        assert_eq!(dynamic_value("$randomNothing"), None);
        assert_eq!(dynamic_value("guid"), None);
        assert_eq!(dynamic_value(""), None);
    }

    #[test]
    fn guids_are_v4_uuids() {
        for name in ["$guid", "$randomUUID"] {
            let id = uuid::Uuid::parse_str(&value(name)).unwrap();
            assert_eq!(id.get_version_num(), 4);
        }
    }

    #[test]
    fn timestamps_are_now_in_seconds_and_iso_millis() {
        let seconds: i64 = value("$timestamp").parse().unwrap();
        assert!((seconds - clock::now_millis() / 1_000).abs() <= 2);
        let iso = value("$isoTimestamp");
        assert_eq!(iso.len(), 24, "{iso}");
        assert!(iso.ends_with('Z') && iso.as_bytes()[10] == b'T' && iso.as_bytes()[19] == b'.');
    }

    #[test]
    fn random_int_is_between_0_and_1000() {
        for _ in 0..500 {
            let n: u32 = value("$randomInt").parse().unwrap();
            assert!(n <= 1_000);
        }
    }

    #[test]
    fn numbers_have_their_digit_counts() {
        assert!(all_digits(&value("$randomBankAccount")) && value("$randomBankAccount").len() == 8);
        assert!(all_digits(&value("$randomCreditCardMask")));
        let phone: Vec<String> = value("$randomPhoneNumber")
            .split('-')
            .map(str::to_owned)
            .collect();
        assert_eq!(phone.iter().map(String::len).collect::<Vec<_>>(), [3, 3, 4]);
        assert_eq!(value("$randomPhoneNumberExt").split('-').count(), 4);
    }

    #[test]
    fn price_has_two_decimals_up_to_1000() {
        for _ in 0..200 {
            let price = value("$randomPrice");
            let (whole, cents) = price.split_once('.').unwrap();
            assert!(
                all_digits(whole) && cents.len() == 2 && all_digits(cents),
                "{price}"
            );
            assert!(price.parse::<f64>().unwrap() <= 1_000.0);
        }
    }

    #[test]
    fn network_values_have_address_shapes() {
        let ip: Vec<u8> = value("$randomIP")
            .split('.')
            .map(|o| o.parse().unwrap())
            .collect();
        assert_eq!(ip.len(), 4);
        let ipv6 = value("$randomIPV6");
        assert!(
            ipv6.split(':').all(|g| g.len() == 4 && all_hex(g)) && ipv6.split(':').count() == 8
        );
        let mac = value("$randomMACAddress");
        assert!(mac.split(':').all(|p| p.len() == 2 && all_hex(p)) && mac.split(':').count() == 6);
        let color = value("$randomHexColor");
        assert!(color.starts_with('#') && color.len() == 7 && all_hex(&color[1..]));
    }

    #[test]
    fn internet_values_look_like_emails_and_urls() {
        for name in ["$randomEmail", "$randomExampleEmail"] {
            let email = value(name);
            let (user, domain) = email.split_once('@').unwrap();
            assert!(!user.is_empty() && domain.contains('.'), "{email}");
        }
        assert!(value("$randomExampleEmail").contains("@example."));
        let url = value("$randomUrl");
        assert!(
            url.starts_with("http://") || url.starts_with("https://"),
            "{url}"
        );
        assert_eq!(value("$randomDomainName").matches('.').count(), 1);
        assert!(!value("$randomDomainWord").contains('.'));
        assert_eq!(value("$randomPassword").len(), 15);
        assert!(value("$randomUserAgent").starts_with("Mozilla/5.0 ("));
    }

    #[test]
    fn dates_look_like_javascript_date_strings() {
        for name in ["$randomDatePast", "$randomDateFuture", "$randomDateRecent"] {
            let date = value(name);
            assert!(
                date.ends_with(" GMT+0000 (Coordinated Universal Time)"),
                "{date}"
            );
            assert!(WEEKDAYS.iter().any(|d| date.starts_with(&d[..3])), "{date}");
        }
        assert!(MONTHS.contains(&value("$randomMonth").as_str()));
        assert!(WEEKDAYS.contains(&value("$randomWeekday").as_str()));
    }

    #[test]
    fn finance_codes_have_their_shapes() {
        let iban = value("$randomBankAccountIban");
        assert!(iban[..2].bytes().all(|b| b.is_ascii_uppercase()) && all_digits(&iban[2..4]));
        let bic = value("$randomBankAccountBic");
        assert!(bic.len() == 8 || bic.len() == 11, "{bic}");
        assert_eq!(value("$randomCurrencyCode").len(), 3);
        let bitcoin = value("$randomBitcoin");
        assert!(
            (26..=34).contains(&bitcoin.len())
                && (bitcoin.starts_with('1') || bitcoin.starts_with('3'))
        );
    }

    #[test]
    fn semver_is_three_numbers() {
        let version = value("$randomSemver");
        assert!(version.split('.').all(all_digits) && version.split('.').count() == 3);
    }

    #[test]
    fn coordinates_parse_as_numbers() {
        assert!(value("$randomLatitude").parse::<f64>().unwrap().abs() <= 90.0);
        assert!(value("$randomLongitude").parse::<f64>().unwrap().abs() <= 180.0);
    }

    #[test]
    fn image_urls_follow_placeimg_shape() {
        assert_eq!(value("$randomImageUrl"), "http://placeimg.com/640/480");
        assert_eq!(
            value("$randomCatsImage"),
            "http://placeimg.com/640/480/cats"
        );
        assert!(value("$randomAvatarImage").ends_with("_128.jpg"));
        assert!(
            value("$randomImageDataUri").starts_with("data:image/svg+xml;charset=UTF-8,%3Csvg")
        );
    }

    #[test]
    fn lorem_values_have_their_structure() {
        assert_eq!(value("$randomLoremWords").split(' ').count(), 3);
        assert_eq!(value("$randomLoremSlug").split('-').count(), 3);
        assert!(value("$randomLoremSentence").ends_with('.'));
        assert_eq!(value("$randomLoremParagraphs").matches("\n \r").count(), 2);
        assert!(value("$randomLoremLines").lines().count() <= 5);
    }

    #[test]
    fn files_have_names_extensions_and_mime_types() {
        let file = value("$randomFileName");
        assert!(file.contains('.') && !file.contains(' '), "{file}");
        assert!(value("$randomFilePath").starts_with('/'));
        assert!(value("$randomMimeType").contains('/'));
        assert!(!value("$randomFileType").contains('/'));
        assert!(!value("$randomCommonFileExt").contains('.'));
    }

    #[test]
    fn scalars_have_their_shapes() {
        assert!(["true", "false"].contains(&value("$randomBoolean").as_str()));
        let alpha = value("$randomAlphaNumeric");
        assert!(alpha.len() == 1 && alpha.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(value("$randomLocale").len(), 2);
        assert_eq!(value("$randomCountryCode").len(), 2);
        assert!(value("$randomBankAccountName").ends_with(" Account"));
        assert_eq!(value("$randomJobTitle").split(' ').count(), 3);
    }
}
