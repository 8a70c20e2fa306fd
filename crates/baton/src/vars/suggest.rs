//! "Did you mean `envID`?" hints for variable names that resolved to nothing.
//!
//! Misspellings in Postman collections are mostly case slips (`envId` for `envID`) or one or two
//! typed characters, so the distance is measured case-insensitively, a case-only difference always
//! qualifies, and anything further than about a third of the name's length is not offered.

/// Names longer than this get no suggestion: nobody mistypes a name that long, and the edit
/// distance costs the product of both lengths.
const LONGEST_SUGGESTED: usize = 128;

/// Levenshtein distance between two char sequences, with one reused row.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// The chars of `s`, lowercased, for case-insensitive comparison.
fn folded(s: &str) -> Vec<char> {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// The closest known name to a misspelt one ("did you mean `envID`?"), if any is close enough.
///
/// Candidates are ranked by case-insensitive edit distance, ties broken by the exact
/// (case-sensitive) distance and then by order. A candidate equal to `name` means nothing was
/// misspelt, so it is never offered. One that differs only in case is always close enough;
/// otherwise the distance may be at most a third of `name`'s length (so a name shorter than three
/// characters gets a hint only for a case slip). The work is bounded: names longer than
/// 128 characters get no hint, and candidates much longer than `name` are skipped unread.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let exact: Vec<char> = name.chars().collect();
    if exact.len() > LONGEST_SUGGESTED {
        return None;
    }
    let wanted = folded(name);
    let threshold = exact.len() / 3;
    let mut best: Option<((usize, usize), &'a str)> = None;
    for candidate in candidates {
        // The distance is at least the difference in length: a far longer name cannot qualify.
        if candidate == name || candidate.chars().count() > exact.len() + threshold + 1 {
            continue;
        }
        let loose = edit_distance(&wanted, &folded(candidate));
        // A case-only slip has distance 0 and so always passes.
        if loose > threshold {
            continue;
        }
        let strict = edit_distance(&exact, &candidate.chars().collect::<Vec<_>>());
        let score = (loose, strict);
        if best.is_none_or(|(best_score, _)| score < best_score) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(edit_distance(&chars(""), &chars("abc")), 3);
        assert_eq!(edit_distance(&chars("abc"), &chars("")), 3);
        assert_eq!(edit_distance(&chars("same"), &chars("same")), 0);
    }

    #[test]
    fn very_long_names_get_no_suggestion() {
        let long = "a".repeat(100_000);
        let near = format!("{long}b");
        assert_eq!(did_you_mean(&long, [near.as_str()]), None);
        let at_limit = "a".repeat(LONGEST_SUGGESTED);
        let typo = format!("{}b", &at_limit[1..]);
        assert_eq!(
            did_you_mean(&typo, [at_limit.as_str()]),
            Some(at_limit.as_str())
        );
    }

    #[test]
    fn case_slip_is_suggested() {
        assert_eq!(did_you_mean("envId", ["token", "envID"]), Some("envID"));
    }

    #[test]
    fn case_slip_is_suggested_even_for_short_names() {
        assert_eq!(did_you_mean("id", ["ID", "ab"]), Some("ID"));
    }

    #[test]
    fn one_typo_is_suggested() {
        assert_eq!(
            did_you_mean("acessToken", ["accessToken", "refreshToken"]),
            Some("accessToken")
        );
    }

    #[test]
    fn distant_names_are_not_suggested() {
        assert_eq!(did_you_mean("apiPath", ["envID", "clientSecret"]), None);
        assert_eq!(did_you_mean("ab", ["cd", "xy"]), None);
    }

    #[test]
    fn exact_match_is_not_a_suggestion() {
        assert_eq!(did_you_mean("envID", ["envID"]), None);
    }

    #[test]
    fn closest_candidate_wins() {
        let candidates = ["clientSecrets", "clientSecret"];
        assert_eq!(
            did_you_mean("clientsecret", candidates),
            Some("clientSecret")
        );
    }

    #[test]
    fn case_insensitive_distance_ranks_first_then_exact_case() {
        assert_eq!(did_you_mean("Token", ["TOKEN", "Token2"]), Some("TOKEN"));
        assert_eq!(
            did_you_mean("userNam", ["Username", "userName"]),
            Some("userName")
        );
    }

    #[test]
    fn no_candidates_gives_none() {
        assert_eq!(did_you_mean("anything", []), None);
    }
}
