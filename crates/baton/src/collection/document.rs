//! A collection's JSON document as the run keeps it: its text, where request items stay until
//! they run. A file up to [`HELD_IN_MEMORY`] is held as read; a larger one stays on disk, open,
//! and each request is read from it again by its place, so that a large collection costs the
//! run its model, a small fraction of the file, and not the file's size on top.

use std::borrow::Cow;
use std::fs::{File, Metadata};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use serde_json::Value;

use super::LoadError;
use super::source::syntax_error;

/// The largest collection file held in memory for the run (4 MiB). Held, a file costs the run its
/// size and, in its model, about three quarters as much again; it loads faster (serde_json spends
/// about 75 more instructions on each byte it reads through an `io::Read`) and is safe from edits
/// made while the run goes on. A larger file is read from disk as its requests run, so that the run's memory
/// is its model and never the file's size on top; an edit to it meanwhile stops the run with
/// [`LoadError::Changed`].
pub const HELD_IN_MEMORY: u64 = 4 << 20;

/// A collection's JSON document. Request items stay in its text until they run (see
/// [`RequestSlot`]); the JSON report and `--export-collection` read it whole, at the end. A parsed
/// tree, or the request model of every item, would take several times the file's size for the
/// whole run.
#[derive(Debug, Clone)]
pub struct Document(Arc<Held>);

/// Where a document's text is.
#[derive(Debug)]
enum Held {
    /// In memory, as read (or as written from a `Value`).
    Text(String),
    /// In a file, which stays open.
    File(OnDisk),
}

/// A collection file read again as its requests run, with what it was when it was loaded, to
/// tell an edit since.
#[derive(Debug)]
struct OnDisk {
    file: File,
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
    /// Where the JSON starts: past a UTF-8 BOM.
    start: u64,
    /// The part of the file read last. Requests mostly run in the file's order, so one read
    /// serves the next few hundred of them.
    window: Mutex<Window>,
}

/// Bytes of the file from `start`.
#[derive(Debug, Default)]
struct Window {
    start: u64,
    bytes: Vec<u8>,
}

/// How much of the file a read for one request takes in, at least.
const WINDOW: u64 = 64 * 1024;

impl Default for Document {
    fn default() -> Self {
        Document::from_text(String::new())
    }
}

impl Document {
    /// Keeps the document's text as it was read, without copying it.
    pub fn from_text(text: String) -> Document {
        Document(Arc::new(Held::Text(text)))
    }

    /// A document left in `file`, opened from `path` and then as `metadata` says, whose JSON
    /// starts at byte `start`.
    pub(super) fn from_file(file: File, path: &Path, metadata: &Metadata, start: u64) -> Document {
        Document(Arc::new(Held::File(OnDisk {
            file,
            path: path.to_path_buf(),
            len: metadata.len(),
            modified: metadata.modified().ok(),
            start,
            window: Mutex::default(),
        })))
    }

    /// The text in memory, if the document is held there.
    pub(super) fn held_text(&self) -> Option<&str> {
        match &*self.0 {
            Held::Text(text) => Some(text),
            Held::File(_) => None,
        }
    }

    /// The document, parsed again; for a document on disk, read again whole.
    pub fn value(&self) -> Result<Value, LoadError> {
        match &*self.0 {
            Held::Text(text) => Ok(serde_json::from_str(text).unwrap_or(Value::Null)),
            Held::File(disk) => {
                let bytes = disk.read(disk.start, disk.len)?;
                let text = String::from_utf8(bytes).map_err(|_| disk.changed())?;
                serde_json::from_str(&text).map_err(|error| syntax_error(&disk.path, &text, &error))
            }
        }
    }

    /// The text of the item in `slot`.
    pub fn text(&self, slot: RequestSlot) -> Result<Cow<'_, str>, LoadError> {
        match &*self.0 {
            Held::Text(text) => Ok(Cow::Borrowed(
                text.get(slot.start as usize..slot.end as usize)
                    .unwrap_or_default(),
            )),
            Held::File(disk) => disk.slot(slot).map(Cow::Owned),
        }
    }

    /// An address that stands for the item in `slot` while the document is loaded. It tells the
    /// item's own auth block apart from every other, as the address of a loaded block does
    /// (Digest keeps what a challenge taught per block).
    pub fn address(&self, slot: RequestSlot) -> usize {
        Arc::as_ptr(&self.0) as usize + slot.start as usize
    }
}

impl OnDisk {
    /// The text of `slot`, from the window or from a new one read from the file.
    fn slot(&self, slot: RequestSlot) -> Result<String, LoadError> {
        let (start, end) = (u64::from(slot.start), u64::from(slot.end));
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        let within = start >= window.start && end <= window.start + window.bytes.len() as u64;
        match within {
            // An edit shows on the next request, whether or not the window holds it.
            true => self.check()?,
            false => {
                let last = end.max(start.saturating_add(WINDOW)).min(self.len);
                *window = Window {
                    start,
                    bytes: self.read(start, last)?,
                };
            }
        }
        let from = (start - window.start) as usize;
        let bytes = &window.bytes[from..from + (end - start) as usize];
        // The file was UTF-8 when it loaded, and a slot starts and ends at a brace.
        String::from_utf8(bytes.to_vec()).map_err(|_| self.changed())
    }

    /// An error unless the file is as it was when it was loaded.
    fn check(&self) -> Result<(), LoadError> {
        let now = self.file.metadata().map_err(|source| LoadError::Read {
            path: self.path.clone(),
            source,
        })?;
        match now.len() == self.len && now.modified().ok() == self.modified {
            true => Ok(()),
            false => Err(self.changed()),
        }
    }

    /// The error for a file changed since it was loaded.
    fn changed(&self) -> LoadError {
        LoadError::Changed {
            path: self.path.clone(),
        }
    }

    /// The bytes from `start` to `end` of the file, if the file is still as it was loaded.
    fn read(&self, start: u64, end: u64) -> Result<Vec<u8>, LoadError> {
        let mut bytes = vec![0; end.saturating_sub(start) as usize];
        self.file
            .read_exact_at(&mut bytes, start)
            .map_err(|source| LoadError::Read {
                path: self.path.clone(),
                source,
            })?;
        // Looked at after the read: an edit before or during it shows.
        self.check()?;
        Ok(bytes)
    }
}

/// Where a request item's JSON lies in its collection's [`Document`]: byte offsets of its
/// first and past its last character. A request is checked when the collection loads, then kept
/// only as this place and built again from its text each time it runs, so a loaded item takes
/// eight bytes besides its text instead of its whole model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestSlot {
    /// Offset of the item's `{`.
    pub start: u32,
    /// Offset just past the item's `}`.
    pub end: u32,
}
