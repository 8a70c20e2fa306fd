//! Writing files atomically: a temporary file beside the target, then a rename, so a report or an
//! exported environment is either the old file or the complete new one, never half written.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically, creating missing parent directories.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, |out| out.write_all(bytes))
}

/// Streams `write`'s output to `path` atomically (through a buffer), for reports too large to
/// build in memory first.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let temp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&temp)?);
        write(&mut file)?;
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_file_and_leaves_no_temporary_behind() {
        let dir = std::env::temp_dir().join(format!("baton-write-{}", std::process::id()));
        let target = dir.join("nested").join("out.json");
        write_atomically(&target, b"{}").unwrap();
        write_atomically(&target, b"[1]").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"[1]");
        let leftovers: Vec<_> = std::fs::read_dir(target.parent().unwrap())
            .unwrap()
            .collect();
        assert_eq!(leftovers.len(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
