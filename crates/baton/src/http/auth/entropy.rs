//! The clock and randomness signers draw on (nonces, timestamps, `jti`), behind one trait so unit
//! tests can fix them.

use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;

/// Where a signer's time and random values come from.
pub trait Entropy {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&mut self) -> u64;
    /// `len` characters drawn uniformly from `alphabet` (ASCII).
    fn random_string(&mut self, alphabet: &[u8], len: usize) -> String;
    /// A random UUID v4 in lower case.
    fn uuid_v4(&mut self) -> String;
    /// `len` random bytes.
    fn random_bytes(&mut self, len: usize) -> Vec<u8>;
}

/// The real clock and the thread's random generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemEntropy;

impl Entropy for SystemEntropy {
    fn now_millis(&mut self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    fn random_string(&mut self, alphabet: &[u8], len: usize) -> String {
        let mut rng = rand::rng();
        (0..len)
            .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
            .collect()
    }

    fn uuid_v4(&mut self) -> String {
        uuid::Uuid::new_v4().to_string()
    }

    fn random_bytes(&mut self, len: usize) -> Vec<u8> {
        let mut rng = rand::rng();
        (0..len).map(|_| rng.random()).collect()
    }
}

/// Fixed values for unit tests: the clock stands still, "random" strings repeat the
/// alphabet's first characters and "random" bytes count up from 0.
#[cfg(test)]
#[derive(Debug, Clone)]
pub(super) struct FixedEntropy {
    pub now_millis: u64,
    pub uuid: String,
}

#[cfg(test)]
impl Entropy for FixedEntropy {
    fn now_millis(&mut self) -> u64 {
        self.now_millis
    }

    fn random_string(&mut self, alphabet: &[u8], len: usize) -> String {
        alphabet
            .iter()
            .cycle()
            .take(len)
            .map(|&b| char::from(b))
            .collect()
    }

    fn uuid_v4(&mut self) -> String {
        self.uuid.clone()
    }

    fn random_bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|i| i as u8).collect()
    }
}
