//! The server's shared state: the object store plus what PingOne keeps beside objects
//! (application secrets, user passwords, sign-on flows, authorization codes, sessions and
//! used assertion `jti`s), and the random source for ids and secrets. One mutex guards it;
//! no handler holds it across an `.await`.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};

use super::signing::Signer;
use super::store::Store;

/// Everything a request handler can reach: the locked state and the immutable signing key.
pub(crate) struct Server {
    state: Mutex<State>,
    /// The key that signs access and ID tokens.
    pub signer: Signer,
    /// `host:port` the listener is bound to, used when a request carries no `Host` header.
    pub bound_host: String,
    /// Lifetime of issued tokens in seconds; negative issues tokens that are already expired.
    pub token_seconds: i64,
}

impl Server {
    /// Wraps seeded state and a signing key.
    pub(crate) fn new(state: State, signer: Signer, bound_host: String) -> Self {
        Server {
            state: Mutex::new(state),
            signer,
            bound_host,
            token_seconds: super::tokens::TOKEN_SECONDS,
        }
    }

    /// Locks the state; a handler that panicked mid-update cannot leave it half-written in a
    /// way later requests care about, so a poisoned lock is simply taken over.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An application's client secret and the one it replaced.
#[derive(Debug, Clone)]
pub(crate) struct AppSecret {
    /// The secret the token endpoint accepts.
    pub current: String,
    /// The replaced secret, shown by the API but no longer accepted.
    pub previous: Option<String>,
    /// When the secret was last rotated (ISO-8601).
    pub rotated_at: Option<String>,
}

/// Where a sign-on flow stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlowStatus {
    /// Waiting for `usernamePassword.check`.
    UsernamePasswordRequired,
    /// Signed on; the authorization code is issued.
    Completed,
}

/// What an authorize request asked for, carried from the flow to the code to the tokens.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizeRequest {
    /// Environment of the application.
    pub env_id: String,
    /// The application's id.
    pub client_id: String,
    /// The registered redirect URI the request named.
    pub redirect_uri: String,
    /// Requested scopes, space-separated.
    pub scope: String,
    /// Opaque client state, echoed back.
    pub state: Option<String>,
    /// OIDC nonce, copied into the ID token.
    pub nonce: Option<String>,
    /// PKCE `(code_challenge, code_challenge_method)`.
    pub pkce: Option<(String, String)>,
}

/// A redirect-less sign-on flow started by `/as/authorize`.
#[derive(Debug, Clone)]
pub(crate) struct Flow {
    /// The request that started it.
    pub request: AuthorizeRequest,
    /// Current step.
    pub status: FlowStatus,
    /// The signed-on user, once completed.
    pub user_id: Option<String>,
    /// The authorization code, once completed.
    pub code: Option<String>,
    /// Creation time, Unix seconds.
    pub created_at: u64,
    /// Expiry, Unix seconds.
    pub expires_at: u64,
}

/// An issued, unused authorization code.
#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    /// The request it answers (client, redirect URI, scope, nonce, PKCE).
    pub request: AuthorizeRequest,
    /// The user who signed on.
    pub user_id: String,
    /// When the user authenticated, Unix seconds.
    pub auth_time: u64,
    /// Expiry, Unix seconds.
    pub expires_at: u64,
}

/// A sign-on session named by the `ST` cookie.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// Environment the session belongs to.
    pub env_id: String,
    /// The signed-on user.
    pub user_id: String,
    /// When the user authenticated, Unix seconds.
    pub auth_time: u64,
    /// Expiry, Unix seconds.
    pub expires_at: u64,
}

/// The mutable state of one running stand-in.
pub(crate) struct State {
    /// Management-API objects.
    pub store: Store,
    /// Client secrets by application id.
    pub secrets: HashMap<String, AppSecret>,
    /// Passwords by user id.
    pub passwords: HashMap<String, String>,
    /// Sign-on flows by id.
    pub flows: HashMap<String, Flow>,
    /// Unused authorization codes.
    pub codes: HashMap<String, AuthCode>,
    /// Sessions by `ST` cookie value.
    pub sessions: HashMap<String, Session>,
    /// `(client_id, jti)` of accepted client assertions, with their `exp` for pruning.
    pub used_jtis: HashMap<(String, String), u64>,
    /// The organization every environment belongs to.
    pub org_id: String,
    /// The environment whose worker applications administer every environment.
    pub admin_env_id: String,
    rng: StdRng,
}

/// Characters of generated secrets: PingOne's secrets mix letters, digits and `-._~`.
const SECRET_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

impl State {
    /// Empty state; `seed` makes every id and secret reproducible.
    pub(crate) fn new(seed: Option<u64>) -> Self {
        let rng = seed.map_or_else(StdRng::from_os_rng, StdRng::seed_from_u64);
        State {
            store: Store::default(),
            secrets: HashMap::new(),
            passwords: HashMap::new(),
            flows: HashMap::new(),
            codes: HashMap::new(),
            sessions: HashMap::new(),
            used_jtis: HashMap::new(),
            org_id: String::new(),
            admin_env_id: String::new(),
            rng,
        }
    }

    /// A fresh UUID (version 4 layout) from the state's random source.
    pub(crate) fn new_id(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    /// A fresh random string of `len` secret-alphabet characters.
    pub(crate) fn new_secret(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(SECRET_ALPHABET[self.rng.random_range(0..SECRET_ALPHABET.len())]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_states_generate_the_same_ids_and_secrets() {
        let (mut a, mut b) = (State::new(Some(7)), State::new(Some(7)));
        assert_eq!(a.new_id(), b.new_id());
        assert_eq!(a.new_secret(20), b.new_secret(20));
    }

    #[test]
    fn ids_are_uuids_and_secrets_use_the_alphabet() {
        let mut state = State::new(None);
        assert!(uuid::Uuid::parse_str(&state.new_id()).is_ok());
        let secret = state.new_secret(64);
        assert_eq!(secret.len(), 64);
        assert!(secret.bytes().all(|b| SECRET_ALPHABET.contains(&b)));
    }
}
