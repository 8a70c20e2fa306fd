//! Finding every form of every secret in one pass over a text. The forms sit in Aho-Corasick
//! automata, so a text is read once whatever the number of secrets. A run learns secrets as it
//! goes (a collection that fetches a token per request learns thousands); rebuilding one automaton
//! for each would cost the square of their number, so they are kept in a few automata of doubling
//! sizes, like a binary counter: two are merged when the newer grows as large as the older. Each
//! form is rebuilt a logarithmic number of times, and a text is read by a logarithmic number of
//! automata.

use std::ops::Range;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::forms::Pattern;

/// Searchable forms of the secrets learned so far. Built tiers never change, so a copy of the
/// masker (the run's checkpoint keeps one) shares them.
#[derive(Debug, Clone, Default)]
pub(super) struct Patterns {
    tiers: Vec<Arc<Tier>>,
}

#[derive(Debug, Clone)]
struct Tier {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
}

impl Tier {
    fn new(patterns: Vec<Pattern>) -> Tier {
        // Every match is wanted, overlapping ones too: a rejected short token must not hide a
        // secret that starts inside it, and overlapping secrets are masked as one span.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            // A DFA reads no faster here and takes twice as long to build.
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(patterns.iter().map(|p| p.text.as_bytes()))
            .expect("an automaton holds any number of secrets a run can learn");
        Tier {
            automaton,
            patterns,
        }
    }

    /// The spans of `text` this tier's patterns cover, sorted and disjoint.
    fn spans(&self, text: &str) -> Vec<Range<usize>> {
        let mut spans: Vec<Range<usize>> = Vec::new();
        // Matches come in the order they end, so a new one can only join the last spans.
        for found in self.automaton.find_overlapping_iter(text) {
            if self.patterns[found.pattern().as_usize()].whole_token
                && !is_whole_token(text, found.start(), found.end())
            {
                continue;
            }
            let mut span = found.range();
            while let Some(last) = spans.last() {
                if last.end <= span.start {
                    break;
                }
                span.start = span.start.min(last.start);
                spans.pop();
            }
            spans.push(span);
        }
        spans
    }
}

impl Patterns {
    /// Whether nothing is searched for.
    pub fn is_empty(&self) -> bool {
        self.tiers.is_empty()
    }

    /// Adds `patterns` (already deduplicated).
    pub fn add(&mut self, patterns: Vec<Pattern>) {
        if patterns.is_empty() {
            return;
        }
        self.tiers.push(Arc::new(Tier::new(patterns)));
        while let [.., older, newer] = self.tiers.as_slice() {
            if older.patterns.len() > newer.patterns.len() {
                break;
            }
            let newer = Arc::unwrap_or_clone(self.tiers.pop().expect("two tiers"));
            let older = Arc::unwrap_or_clone(self.tiers.pop().expect("two tiers"));
            let mut merged = older.patterns;
            merged.extend(newer.patterns);
            self.tiers.push(Arc::new(Tier::new(merged)));
        }
    }

    /// The spans of `text` that hold a secret, sorted and disjoint (overlapping finds joined).
    pub fn spans(&self, text: &str) -> Vec<Range<usize>> {
        let mut spans: Vec<Range<usize>> = Vec::new();
        for tier in &self.tiers {
            spans.extend(tier.spans(text));
        }
        if self.tiers.len() > 1 {
            spans.sort_by_key(|s| s.start);
            let mut joined: Vec<Range<usize>> = Vec::with_capacity(spans.len());
            for span in spans {
                match joined.last_mut() {
                    Some(last) if span.start < last.end => last.end = last.end.max(span.end),
                    _ => joined.push(span),
                }
            }
            spans = joined;
        }
        spans
    }

    /// Whether `text` holds any secret.
    pub fn found_in(&self, text: &str) -> bool {
        self.tiers.iter().any(|tier| {
            tier.automaton.find_overlapping_iter(text).any(|found| {
                !tier.patterns[found.pattern().as_usize()].whole_token
                    || is_whole_token(text, found.start(), found.end())
            })
        })
    }
}

/// Whether `text[start..end]` stands between non-alphanumeric characters or the text's ends.
fn is_whole_token(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str, whole_token: bool) -> Pattern {
        Pattern {
            text: text.into(),
            whole_token,
        }
    }

    #[test]
    fn overlapping_secrets_are_one_span() {
        let mut patterns = Patterns::default();
        patterns.add(vec![pattern("abcd", false), pattern("cdef", false)]);
        assert_eq!(patterns.spans("xxabcdefyy abcd"), [2..8, 11..15]);
    }

    #[test]
    fn a_rejected_short_token_does_not_hide_a_secret_inside_it() {
        let mut patterns = Patterns::default();
        patterns.add(vec![pattern("abc", true), pattern("bcdefg", false)]);
        assert_eq!(patterns.spans("abcdefg abc"), [1..7, 8..11]);
        assert!(!patterns.found_in("abcd"));
        assert!(patterns.found_in("(abc)"));
    }

    #[test]
    fn tiers_merge_as_secrets_are_learned_and_all_stay_found() {
        let mut patterns = Patterns::default();
        for n in 0..100 {
            patterns.add(vec![pattern(&format!("secret-{n:03}"), false)]);
        }
        assert!(patterns.tiers.len() <= 7, "{} tiers", patterns.tiers.len());
        let text = (0..100)
            .map(|n| format!("secret-{n:03}"))
            .collect::<Vec<_>>();
        let spans = patterns.spans(&text.join(" "));
        assert_eq!(spans.len(), 100);
        assert_eq!(spans[99], 1089..1099);
    }
}
