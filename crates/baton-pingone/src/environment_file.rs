//! The Postman environment file the stand-in writes for itself, in the workflow-library
//! template's shape (`{"id","name","values":[{"key","value","type","enabled"}]}`), so
//! PingOne collections run against it unchanged. Written atomically: a temporary file in
//! the same folder, then a rename.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use super::seed::{Seeded, USERNAME};

/// The environment file for a stand-in reachable at `base` (`http://127.0.0.1:PORT`).
pub(crate) fn environment_file(id: &str, base: &str, seeded: &Seeded) -> Value {
    let entries = [
        ("tld", "com".to_owned(), "default"),
        ("authPath", base.to_owned(), "default"),
        ("apiPath", format!("{base}/v1"), "default"),
        ("adminEnvID", seeded.admin_env_id.clone(), "default"),
        ("parentEnvID", seeded.admin_env_id.clone(), "default"),
        ("adminAppID", seeded.admin_app_id.clone(), "default"),
        ("adminAppSecret", seeded.admin_app_secret.clone(), "secret"),
        ("envID", seeded.env_id.clone(), "default"),
        ("username", USERNAME.to_owned(), "default"),
        ("password", seeded.password.clone(), "secret"),
        ("redirectUri", format!("{base}/callback"), "default"),
    ];
    let values: Vec<Value> = entries
        .into_iter()
        .map(
            |(key, value, kind)| json!({"key": key, "value": value, "type": kind, "enabled": true}),
        )
        .collect();
    json!({"id": id, "name": format!("PingOne stand-in ({base})"), "values": values})
}

/// Writes `value` as pretty JSON to `path` without ever leaving a half-written file there.
pub(crate) fn write_atomically(path: &Path, value: &Value) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")
    })?;
    let temporary = folder.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let text = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(&text)?;
        file.write_all(b"\n")?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            // Best effort: the temporary file is ours and useless after a failure.
            let _ = std::fs::remove_file(&temporary);
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded() -> Seeded {
        Seeded {
            admin_env_id: "a".into(),
            admin_app_id: "w".into(),
            admin_app_secret: "s".into(),
            env_id: "e".into(),
            password: "p".into(),
        }
    }

    fn value_of<'a>(file: &'a Value, key: &str) -> &'a Value {
        file["values"]
            .as_array()
            .expect("values")
            .iter()
            .find(|v| v["key"] == key)
            .expect(key)
    }

    #[test]
    fn file_has_template_keys_and_marks_secrets() {
        let file = environment_file("id", "http://127.0.0.1:1", &seeded());
        assert_eq!(value_of(&file, "apiPath")["value"], "http://127.0.0.1:1/v1");
        assert_eq!(value_of(&file, "adminAppSecret")["type"], "secret");
        assert_eq!(value_of(&file, "password")["type"], "secret");
        assert_eq!(value_of(&file, "envID")["enabled"], true);
    }

    #[test]
    fn atomic_write_replaces_file_and_leaves_no_temporary() {
        let folder = std::env::temp_dir().join(format!("baton-envfile-{}", std::process::id()));
        std::fs::create_dir_all(&folder).expect("folder");
        let path = folder.join("env.json");
        std::fs::write(&path, "old").expect("old");
        write_atomically(&path, &json!({"a": 1})).expect("written");
        let read: Value =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
        assert_eq!(read["a"], 1);
        assert_eq!(std::fs::read_dir(&folder).expect("list").count(), 1);
        std::fs::remove_dir_all(&folder).expect("cleanup");
    }

    #[test]
    fn write_into_missing_folder_fails() {
        let path = std::env::temp_dir()
            .join("baton-no-such-folder-xyz")
            .join("env.json");
        assert!(write_atomically(&path, &json!({})).is_err());
    }
}
