//! Reading a file the user named (a collection, environment, data file or request body): regular
//! files only, and none larger than [`MAX_INPUT_FILE`].
//!
//! A FIFO would block the run until something writes to it, and a device such as `/dev/zero` never
//! ends; both are refused before they are opened. The size is checked before the file is read, and
//! the read stops one byte past the limit in case the file grows meanwhile.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// The largest input file Baton reads (1 GiB).
pub const MAX_INPUT_FILE: u64 = 1 << 30;

/// The bytes of the regular file at `path` (symbolic links followed).
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    read_within(path, MAX_INPUT_FILE)
}

/// [`read`] with the size limit given.
fn read_within(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, metadata) = open_within(path, limit)?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// The regular file at `path`, opened for reading with what it was when opened, if it is no
/// larger than [`MAX_INPUT_FILE`]. For a file read a part at a time, not whole.
pub fn open(path: &Path) -> io::Result<(File, Metadata)> {
    open_within(path, MAX_INPUT_FILE)
}

/// [`open`] with the size limit given.
fn open_within(path: &Path, limit: u64) -> io::Result<(File, Metadata)> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("expected a regular file, found {}", kind(&metadata)),
        ));
    }
    if metadata.len() > limit {
        return Err(too_large(limit));
    }
    let file = File::open(path)?;
    // What was opened, which a rename since the check above may have changed.
    let metadata = file.metadata()?;
    if metadata.len() > limit {
        return Err(too_large(limit));
    }
    Ok((file, metadata))
}

/// The error for a file larger than `limit` bytes.
fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("the file is larger than {} MiB", limit >> 20),
    )
}

/// What a non-regular file is, in words.
fn kind(metadata: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a named pipe (FIFO)"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "something else"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_refused_before_it_is_read() {
        let error = read(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(error.to_string(), "expected a regular file, found a device");
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = std::env::temp_dir().join(format!("baton-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let error = read(&fifo).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            error.to_string(),
            "expected a regular file, found a named pipe (FIFO)"
        );
    }

    #[test]
    fn a_file_above_the_limit_is_refused_and_one_at_it_is_read() {
        let dir = std::env::temp_dir().join(format!("baton-large-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("body.bin");
        std::fs::write(&file, vec![7u8; 4 << 20]).unwrap();
        let refused = read_within(&file, 3 << 20).unwrap_err();
        let read = read_within(&file, 4 << 20).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(refused.to_string(), "the file is larger than 3 MiB");
        assert_eq!(read.len(), 4 << 20);
    }
}
