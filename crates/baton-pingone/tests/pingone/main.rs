//! Integration tests of the PingOne stand-in: each test starts its own server in-process on
//! an ephemeral loopback port and talks to it with reqwest, as a client would, without any
//! of Baton's runner code.

mod assertion_rejections;
mod environment_file;
mod management;
mod p1mfa_setup;
mod sign_on;
mod support;
mod token_methods;
