//! Bounded mutation tests of what reads the user's files: the collection and environment loaders
//! and the CSV parser. Real inputs, mutated at the byte level and at the JSON level, must load or
//! give an error that names the file, never panic. A seeded RNG keeps each run the same, and the
//! case counts keep it to a few seconds. (The resolver's own mutation test is in
//! `vars/resolve.rs`; the HTTP response reader's in `http/http1_fuzz.rs`.)

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::collection::{
    LoadError, collection_from_document, document_from_bytes, environment_from_document,
};

/// The name every mutated input is loaded under; each error must name it.
const ORIGIN: &str = "mutated.json";

/// Real collections to start from (sources in `tests/fixtures/corpus/SOURCES.md`).
const COLLECTIONS: [&str; 3] = [
    include_str!(
        "../../../tests/fixtures/corpus/Adyen--adyen-postman--BinLookupService-v54.postman_collection.json"
    ),
    include_str!("../../../tests/fixtures/p1mfa-setup.postman_collection.json"),
    include_str!("../../../tests/fixtures/scripts/safety.postman_collection.json"),
];

/// Fragments that tend to find edge cases when dropped into JSON or CSV.
const FRAGMENTS: [&str; 16] = [
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "null",
    "-1e999",
    "\\u0000",
    "\u{FEFF}",
    "\"item\":",
    "\"request\":",
    "{{x}}",
    "\r\n",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
];

/// `bytes` with one to four random mutations: a byte flipped, a range removed or repeated, a
/// fragment inserted, or the end cut off.
fn mutate(rng: &mut StdRng, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        if out.is_empty() {
            out.push(b'{');
        }
        let at = rng.random_range(0..out.len());
        match rng.random_range(0..5) {
            0 => out[at] ^= 1 << rng.random_range(0..8),
            1 => {
                let end = (at + rng.random_range(1..64)).min(out.len());
                out.drain(at..end);
            }
            2 => {
                let end = (at + rng.random_range(1..64)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
            3 => {
                let fragment = FRAGMENTS[rng.random_range(0..FRAGMENTS.len())];
                out.splice(at..at, fragment.bytes());
            }
            _ => out.truncate(at),
        }
    }
    out
}

/// A JSON value of a random kind, to put where another kind is expected.
fn random_value(rng: &mut StdRng) -> Value {
    match rng.random_range(0..7) {
        0 => Value::Null,
        1 => json!(rng.random::<bool>()),
        2 => json!(rng.random_range(-3..1_000_000)),
        3 => json!("{{x}}/a?b=c#d"),
        4 => json!([]),
        5 => json!({}),
        _ => json!([{"key": 1, "value": {}}]),
    }
}

/// `document` with one value somewhere inside replaced by a value of a random kind.
fn mutate_json(rng: &mut StdRng, document: &mut Value) {
    let mut at = document;
    loop {
        let children = match at {
            Value::Object(map) => map.len(),
            Value::Array(items) => items.len(),
            _ => 0,
        };
        if children == 0 || rng.random_range(0..4) == 0 {
            *at = random_value(rng);
            return;
        }
        let index = rng.random_range(0..children);
        at = match at {
            Value::Object(map) => map.values_mut().nth(index).unwrap(),
            Value::Array(items) => &mut items[index],
            _ => unreachable!("only containers have children"),
        };
    }
}

/// An error must say which file it is about.
fn assert_names_the_file(error: &LoadError, input: &[u8]) {
    let text = error.to_string();
    assert!(
        text.starts_with(ORIGIN),
        "{text}\nfor input: {}",
        String::from_utf8_lossy(input)
    );
}

#[test]
fn mutated_collection_bytes_load_or_name_the_file() {
    let mut rng = StdRng::seed_from_u64(0x5eed_0001);
    let origin = Path::new(ORIGIN);
    for case in 0..1500 {
        let seed = COLLECTIONS[case % COLLECTIONS.len()].as_bytes();
        let input = mutate(&mut rng, seed);
        match document_from_bytes(&input, origin) {
            Ok(document) => {
                if let Err(error) = collection_from_document(&document, origin) {
                    assert_names_the_file(&error, &input);
                }
                if let Err(error) = environment_from_document(&document, origin) {
                    assert_names_the_file(&error, &input);
                }
            }
            Err(error) => assert_names_the_file(&error, &input),
        }
    }
}

#[test]
fn collections_with_values_of_the_wrong_kind_load_or_name_the_place() {
    let mut rng = StdRng::seed_from_u64(0x5eed_0002);
    let origin = Path::new(ORIGIN);
    let seeds: Vec<Value> = COLLECTIONS
        .iter()
        .map(|text| serde_json::from_str(text).unwrap())
        .collect();
    for case in 0..1500 {
        let mut document = seeds[case % seeds.len()].clone();
        for _ in 0..rng.random_range(1..=3) {
            mutate_json(&mut rng, &mut document);
        }
        match collection_from_document(&document, origin) {
            // A collection that loads must also plan.
            Ok(collection) => drop(crate::runner::plan(&collection, &Default::default())),
            Err(error) => assert_names_the_file(&error, document.to_string().as_bytes()),
        }
    }
}

#[test]
fn mutated_csv_parses_or_names_the_file() {
    let mut rng = StdRng::seed_from_u64(0x5eed_0003);
    let origin = Path::new(ORIGIN);
    let seed =
        "id,name,amount\r\n1, \"quoted, with comma\" ,3.5\n2,\"multi\nline\",-1\n3,stray\"quote,\n";
    for _ in 0..3000 {
        let input = mutate(&mut rng, seed.as_bytes());
        let text = String::from_utf8_lossy(&input);
        if let Err(error) = crate::collection::data::parse_csv(&text, origin) {
            assert_names_the_file(&error, &input);
        }
    }
}
