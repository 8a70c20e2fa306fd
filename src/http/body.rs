//! Encoding a resolved body into bytes and its default Content-Type.

use std::path::{Path, PathBuf};

use crate::collection::{Body, FormContent, FormPart, KeyValue};
use crate::vars::encode_uri_component;

use super::HttpError;

/// Where file bodies and form-data files are read from.
#[derive(Debug, Clone, Default)]
pub struct FileAccess {
    /// `--working-dir`: relative paths resolve here.
    pub working_dir: PathBuf,
    /// `--no-insecure-file-read`: refuse files outside the working directory.
    pub restrict_to_working_dir: bool,
}

impl FileAccess {
    fn read(&self, src: &str) -> Result<(PathBuf, Vec<u8>), HttpError> {
        let path = self.working_dir.join(src);
        if self.restrict_to_working_dir {
            let inside = match (path.canonicalize(), self.working_dir.canonicalize()) {
                (Ok(file), Ok(dir)) => file.starts_with(dir),
                _ => false,
            };
            if !inside {
                return Err(HttpError::FileOutsideWorkingDir { path });
            }
        }
        let bytes = std::fs::read(&path).map_err(|source| HttpError::File {
            path: path.clone(),
            source,
        })?;
        Ok((path, bytes))
    }
}

/// An encoded body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EncodedBody {
    /// The bytes to send.
    pub bytes: Vec<u8>,
    /// The Content-Type to send unless the request sets one.
    pub content_type: Option<String>,
}

/// Encodes a resolved body.
pub fn encode_body(body: &Body, files: &FileAccess) -> Result<EncodedBody, HttpError> {
    Ok(match body {
        Body::Raw { raw, language } => EncodedBody {
            bytes: raw.as_bytes().to_vec(),
            content_type: Some(raw_content_type(language.as_deref()).to_string()),
        },
        Body::UrlEncoded(fields) => EncodedBody {
            bytes: urlencode_fields(fields).into_bytes(),
            content_type: Some("application/x-www-form-urlencoded".into()),
        },
        Body::FormData(parts) => encode_multipart(parts, files)?,
        Body::File { src: Some(src) } if !src.is_empty() => {
            let (path, bytes) = files.read(src)?;
            EncodedBody {
                bytes,
                content_type: known_content_type(&path).map(str::to_string),
            }
        }
        Body::File { .. } => EncodedBody::default(),
        Body::GraphQl { query, variables } => {
            // The variables text is spliced in as written, as Newman sends it.
            let query = serde_json::Value::String(query.clone());
            let text = match variables
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
            {
                Some(variables) => format!("{{\"query\":{query},\"variables\":{variables}}}"),
                None => format!("{{\"query\":{query}}}"),
            };
            EncodedBody {
                bytes: text.into_bytes(),
                content_type: Some("application/json".into()),
            }
        }
    })
}

fn raw_content_type(language: Option<&str>) -> &'static str {
    match language {
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("javascript") => "application/javascript",
        Some("html") => "text/html",
        _ => "text/plain",
    }
}

/// `application/x-www-form-urlencoded` text of the active fields, encoded as Postman encodes them
/// (`encodeURIComponent`: space as `%20`).
pub fn urlencode_fields(fields: &[KeyValue]) -> String {
    fields
        .iter()
        .filter(|f| f.is_active())
        .map(|f| {
            format!(
                "{}={}",
                encode_uri_component(&f.key),
                encode_uri_component(f.value.as_deref().unwrap_or(""))
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn encode_multipart(parts: &[FormPart], files: &FileAccess) -> Result<EncodedBody, HttpError> {
    let boundary = format!(
        "--------------------------{}",
        &uuid::Uuid::new_v4().simple().to_string()[..24]
    );
    let mut bytes = Vec::new();
    for part in parts.iter().filter(|p| !p.disabled && !p.key.is_empty()) {
        match &part.content {
            FormContent::Text(value) => {
                bytes.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                bytes.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"\r\n",
                        quote(&part.key)
                    )
                    .as_bytes(),
                );
                if let Some(content_type) = &part.content_type {
                    bytes.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
                }
                bytes.extend_from_slice(b"\r\n");
                bytes.extend_from_slice(value.as_bytes());
                bytes.extend_from_slice(b"\r\n");
            }
            FormContent::Files(sources) => {
                for src in sources.iter().filter(|s| !s.is_empty()) {
                    let (path, content) = files.read(src)?;
                    let name = file_name(&path);
                    let content_type = part.content_type.clone().unwrap_or_else(|| {
                        known_content_type(&path)
                            .unwrap_or("application/octet-stream")
                            .to_string()
                    });
                    bytes.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                    bytes.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {content_type}\r\n\r\n",
                            quote(&part.key),
                            quote(&name)
                        )
                        .as_bytes(),
                    );
                    bytes.extend_from_slice(&content);
                    bytes.extend_from_slice(b"\r\n");
                }
            }
        }
    }
    bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(EncodedBody {
        bytes,
        content_type: Some(format!("multipart/form-data; boundary={boundary}")),
    })
}

fn quote(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The media type of a file by its extension, as Postman derives it for file bodies and parts.
fn known_content_type(path: &Path) -> Option<&'static str> {
    Some(match path.extension().and_then(|e| e.to_str())? {
        "json" => "application/json",
        "csv" => "text/csv",
        "txt" => "text/plain",
        "xml" => "application/xml",
        "html" => "text/html",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "pdf" => "application/pdf",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded_skips_disabled_and_empty_keys_and_encodes() {
        let mut off = KeyValue::new("off", "1");
        off.disabled = true;
        let fields = vec![
            KeyValue::new("grant_type", "client_credentials"),
            off,
            KeyValue::new("", "x"),
            KeyValue::new("scope", "openid profile"),
        ];
        assert_eq!(
            urlencode_fields(&fields),
            "grant_type=client_credentials&scope=openid%20profile"
        );
    }

    #[test]
    fn raw_json_defaults_to_application_json() {
        let body = Body::Raw {
            raw: "{}".into(),
            language: Some("json".into()),
        };
        let encoded = encode_body(&body, &FileAccess::default()).unwrap();
        assert_eq!(encoded.content_type.as_deref(), Some("application/json"));
    }

    #[test]
    fn multipart_holds_text_parts_and_ends_with_the_boundary() {
        let parts = vec![FormPart {
            key: "a".into(),
            content: FormContent::Text("1".into()),
            content_type: None,
            disabled: false,
        }];
        let encoded = encode_body(&Body::FormData(parts), &FileAccess::default()).unwrap();
        let text = String::from_utf8(encoded.bytes).unwrap();
        let boundary = encoded
            .content_type
            .unwrap()
            .split("boundary=")
            .nth(1)
            .unwrap()
            .to_string();
        assert!(text.contains("name=\"a\"\r\n\r\n1\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }

    #[test]
    fn files_outside_the_working_dir_are_refused_when_restricted() {
        let dir = std::env::temp_dir();
        let access = FileAccess {
            working_dir: dir.join("baton-nonexistent-wd"),
            restrict_to_working_dir: true,
        };
        let body = Body::File {
            src: Some("../../etc/hostname".into()),
        };
        assert!(matches!(
            encode_body(&body, &access),
            Err(HttpError::FileOutsideWorkingDir { .. })
        ));
    }

    #[test]
    fn graphql_is_sent_as_json_with_parsed_variables() {
        let body = Body::GraphQl {
            query: "{ a }".into(),
            variables: Some("{\"x\": 1}".into()),
        };
        let encoded = encode_body(&body, &FileAccess::default()).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&encoded.bytes).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"query": "{ a }", "variables": {"x": 1}})
        );
        let bare = Body::GraphQl {
            query: "{a}".into(),
            variables: Some(" ".into()),
        };
        let encoded = encode_body(&bare, &FileAccess::default()).unwrap();
        assert_eq!(encoded.bytes, br#"{"query":"{a}"}"#);
    }
}
