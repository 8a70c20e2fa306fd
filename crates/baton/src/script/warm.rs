//! Making the run's realm on a thread of its own while the run starts and its first request is
//! in flight: the QuickJS runtime and the pm API, and chai too when a script will use it. The
//! first script takes the realm over, waiting for it if it is not ready yet, and from then on it
//! lives on the run's thread as if it had been made there.
//!
//! Which scripts a run has is known from its plan ([`ScriptUse`]), so a run without scripts
//! starts no thread and makes no realm.

use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::ScriptOptions;
use super::realm::{Realm, RealmSetupError};

/// What a run's scripts will use, read from their texts before any of them runs; see
/// [`super::ScriptEngine::warm_up`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptUse {
    /// Some script may run.
    pub any: bool,
    /// Some script names one of chai's ways in (`expect`, a `.to` chain, or chai itself), so
    /// chai is loaded with the realm instead of in the middle of that script.
    pub chai: bool,
}

impl ScriptUse {
    /// What the scripts of `texts` (each non-blank) will use.
    pub fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> ScriptUse {
        let mut uses = ScriptUse::default();
        for text in texts {
            uses.any = true;
            if names_chai(text) {
                uses.chai = true;
                break;
            }
        }
        uses
    }
}

/// Whether `text` may reach chai: a guess, so a wrong one costs time, never a result (chai
/// loads on first use either way).
fn names_chai(text: &str) -> bool {
    let chain = |(at, _): (usize, &str)| {
        let after = &text[at + ".to".len()..];
        !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    text.contains("expect") || text.contains("chai") || text.match_indices(".to").any(chain)
}

/// A realm being made on its own thread.
pub(super) struct Warming {
    realm: oneshot::Receiver<Result<Moved, RealmSetupError>>,
    /// Joined on drop, so that no thread is left running QuickJS when the process ends; let go
    /// once the realm has come.
    thread: Option<JoinHandle<()>>,
    leave_heap_at_exit: bool,
}

/// A realm on its way from the thread that made it to the run's thread.
struct Moved(Realm);

// SAFETY: a realm is not `Send` because of the `Rc`s it shares between its own parts (the
// runtime's interrupt handler and native functions hold clones of its cells and host) and
// because QuickJS expects one thread at a time. The thread that makes a realm keeps no clone of
// anything in it and never touches it after moving it here, so the whole realm, every clone
// included, changes threads at once and is only ever used by one thread. QuickJS keeps no
// per-thread state but the stack position it measures depth from, which the receiving thread
// resets (`Realm::adopt_thread`) before running anything.
#[allow(unsafe_code)]
unsafe impl Send for Moved {}

impl Warming {
    /// Starts making a realm for `options`, loading chai with it if `chai`; `None` if no thread
    /// could be started (the first script then makes the realm itself).
    pub(super) fn start(options: &ScriptOptions, chai: bool) -> Option<Warming> {
        let (sender, realm) = oneshot::channel();
        let thread = {
            let options = options.clone();
            std::thread::Builder::new()
                .name("baton-realm".into())
                .spawn(move || {
                    let made = Realm::new(&options).map(|realm| {
                        if chai {
                            realm.load_chai();
                        }
                        Moved(realm)
                    });
                    // Never refused: the receiver lives until this thread is joined.
                    let _ = sender.send(made);
                })
                .ok()?
        };
        Some(Warming {
            realm,
            thread: Some(thread),
            leave_heap_at_exit: options.leave_heap_at_exit,
        })
    }

    /// Waits for the realm and makes it this thread's; `None` if the thread ended without
    /// making one (it panicked), so the caller makes it instead.
    pub(super) async fn finish(&mut self) -> Option<Result<Realm, RealmSetupError>> {
        let made = (&mut self.realm).await.ok()?;
        // Once it has sent the realm, the thread touches nothing of it and only ends: it is let
        // go instead of waited for, which the first script would have done.
        self.thread = None;
        Some(made.map(|Moved(realm)| {
            realm.adopt_thread();
            realm
        }))
    }
}

impl Drop for Warming {
    /// A realm no script took (the run ended first) is waited for and let go as the engine lets
    /// its own go.
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Ok(Ok(Moved(realm))) = self.realm.try_recv() {
            release(realm, self.leave_heap_at_exit);
        }
    }
}

/// Lets a realm go: dropped on this thread, or left to the process's end with its heap.
fn release(realm: Realm, leave_heap_at_exit: bool) {
    if leave_heap_at_exit {
        std::mem::forget(realm);
    } else {
        realm.adopt_thread();
        drop(realm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chai_is_named_by_expect_a_to_chain_or_its_name() {
        for text in [
            "pm.expect(1).to.equal(1);",
            "pm.response.to.have.status(200);",
            "pm.response.to\n  .have.status(200);",
            "const x = pm.response.to;",
            "const chai = require('chai');",
        ] {
            assert!(names_chai(text), "{text}");
        }
        for text in [
            "pm.environment.set('id', pm.response.json().id);",
            "const s = String(1).toString().toLowerCase(); tests['ok'] = s.toUpperCase() === '1';",
            "console.log(x.to_s, x.toJSON(), x.to$);",
        ] {
            assert!(!names_chai(text), "{text}");
        }
    }

    #[test]
    fn a_run_without_scripts_uses_nothing() {
        assert_eq!(ScriptUse::of([]), ScriptUse::default());
        let plain = ScriptUse::of(["pm.environment.set('a', 1);"]);
        assert_eq!(
            plain,
            ScriptUse {
                any: true,
                chai: false
            }
        );
        let tested = ScriptUse::of(["pm.globals.set('a', 1);", "pm.expect(1).to.eql(1);"]);
        assert!(tested.any && tested.chai);
    }
}
