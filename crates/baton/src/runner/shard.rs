//! Splitting a run's iterations across processes: `--shard K/N` runs the K-th of N contiguous
//! blocks, so each machine of a CI matrix or a Kubernetes Indexed Job runs its share of the data
//! rows and the reports read in order.

use std::ops::Range;
use std::str::FromStr;

/// One share of a run's iterations: the `index`-th (1-based) of `count` contiguous blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

/// Why a `K/N` shard is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not two numbers separated by `/`.
    #[error("expected K/N with whole numbers, as in 2/5; got `{0}`")]
    Syntax(String),
    /// `N` is zero.
    #[error("the number of shards must be at least 1")]
    NoShards,
    /// `K` is zero or greater than `N` (shards count from 1).
    #[error("shard {index} is not between 1 and {count} (shards count from 1)")]
    OutOfRange {
        /// The `K` given.
        index: usize,
        /// The `N` given.
        count: usize,
    },
}

impl Shard {
    /// The `index`-th (1-based) of `count` shards.
    pub fn new(index: usize, count: usize) -> Result<Shard, ShardError> {
        if count == 0 {
            return Err(ShardError::NoShards);
        }
        if index == 0 || index > count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }

    /// The shard's number, from 1.
    pub fn index(&self) -> usize {
        self.index
    }

    /// How many shards the run is split into.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The global (zero-based) iterations this shard runs out of `iterations`: blocks whose sizes
    /// differ by at most one, the larger ones last, so that together the shards run each
    /// iteration exactly once.
    pub fn range(&self, iterations: usize) -> Range<usize> {
        let start = (self.index - 1) * iterations / self.count;
        let end = self.index * iterations / self.count;
        start..end
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax(text.to_string());
        let (index, count) = text.split_once('/').ok_or_else(syntax)?;
        let index = index.trim().parse().map_err(|_| syntax())?;
        let count = count.trim().parse().map_err(|_| syntax())?;
        Shard::new(index, count)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_iteration_once_in_contiguous_blocks() {
        for iterations in 0..30 {
            for count in 1..8 {
                let mut next = 0;
                for index in 1..=count {
                    let range = Shard::new(index, count).unwrap().range(iterations);
                    assert_eq!(range.start, next, "{index}/{count} of {iterations}");
                    assert!(range.len() <= iterations / count + 1);
                    next = range.end;
                }
                assert_eq!(next, iterations);
            }
        }
    }

    #[test]
    fn twenty_four_rows_over_three_shards_are_eight_each() {
        let ranges: Vec<_> = (1..=3)
            .map(|k| Shard::new(k, 3).unwrap().range(24))
            .collect();
        assert_eq!(ranges, [0..8, 8..16, 16..24]);
    }

    #[test]
    fn a_shard_is_k_of_n_counted_from_one() {
        assert_eq!("2/5".parse::<Shard>().unwrap().to_string(), "2/5");
        assert_eq!(
            "0/3".parse::<Shard>(),
            Err(ShardError::OutOfRange { index: 0, count: 3 })
        );
        assert_eq!(
            "4/3".parse::<Shard>(),
            Err(ShardError::OutOfRange { index: 4, count: 3 })
        );
        assert_eq!("1/0".parse::<Shard>(), Err(ShardError::NoShards));
        assert!(matches!("2".parse::<Shard>(), Err(ShardError::Syntax(_))));
        assert!(matches!("a/3".parse::<Shard>(), Err(ShardError::Syntax(_))));
    }
}
