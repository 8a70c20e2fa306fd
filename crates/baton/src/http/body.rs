//! Encoding a resolved body into bytes and its default Content-Type.

use std::path::{Path, PathBuf};

use crate::collection::{Body, FormContent, FormPart, KeyValue};
use crate::vars::encode_uri_component;

use super::HttpError;

/// Where file bodies and form-data files are read from.
///
/// A file named by the collection is read wherever it is, as Newman does, unless
/// `--no-insecure-file-read`. A file named by a script (a `pm.sendRequest` body, or a body a
/// pre-request script turned into a file) must be inside the working directory unless
/// `--insecure-script-file-read`: otherwise any script could send `~/.ssh/id_rsa` to a server.
#[derive(Debug, Clone, Default)]
pub struct FileAccess {
    /// `--working-dir`: relative paths resolve here.
    pub working_dir: PathBuf,
    /// `--no-insecure-file-read`: refuse files outside the working directory.
    pub restrict_to_working_dir: bool,
    /// `--insecure-script-file-read`: scripts may name files outside the working directory.
    pub scripts_read_anywhere: bool,
    /// Whether the paths read now come from a script (see [`for_scripts`](Self::for_scripts)).
    pub by_script: bool,
}

impl FileAccess {
    /// The rules for files a script named.
    pub fn for_scripts(&self) -> FileAccess {
        FileAccess {
            by_script: true,
            ..self.clone()
        }
    }

    fn read(&self, src: &str) -> Result<(PathBuf, Vec<u8>), HttpError> {
        let path = self.working_dir.join(src);
        let confined =
            self.restrict_to_working_dir || (self.by_script && !self.scripts_read_anywhere);
        if confined {
            let inside = match (path.canonicalize(), self.working_dir.canonicalize()) {
                (Ok(file), Ok(dir)) => file.starts_with(dir),
                _ => false,
            };
            if !inside {
                return Err(HttpError::FileOutsideWorkingDir {
                    path,
                    by_script: self.by_script && !self.restrict_to_working_dir,
                });
            }
        }
        let bytes = crate::input_file::read(&path).map_err(|source| HttpError::File {
            path: path.clone(),
            source: source.into(),
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

/// Encodes a resolved body; `None` when Postman sends no body at all: an empty raw text, a form
/// without enabled entries, a file body without a source or one that cannot be read. `boundary` is
/// the one the request's own `Content-Type: multipart/form-data; boundary=...` names, which a form
/// then uses. A file that cannot be read is left out with a warning, as Newman does.
pub fn encode_body(
    body: &Body,
    files: &FileAccess,
    boundary: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<Option<EncodedBody>, HttpError> {
    Ok(Some(match body {
        Body::Raw { raw, .. } if raw.is_empty() => return Ok(None),
        Body::Raw { raw, language } => EncodedBody {
            bytes: raw.as_bytes().to_vec(),
            content_type: Some(raw_content_type(language.as_deref()).to_string()),
        },
        Body::UrlEncoded(fields) if fields.iter().all(|f| f.disabled) => return Ok(None),
        Body::UrlEncoded(fields) => EncodedBody {
            bytes: urlencode_fields(fields).into_bytes(),
            content_type: Some("application/x-www-form-urlencoded".into()),
        },
        Body::FormData(parts) if parts.iter().all(|p| p.disabled) => return Ok(None),
        Body::FormData(parts) => match encode_multipart(parts, files, boundary, warnings) {
            Some(encoded) => encoded,
            None => return Ok(None),
        },
        Body::File { src: Some(src) } if !src.is_empty() => match files.read(src) {
            Ok((path, bytes)) => EncodedBody {
                bytes,
                content_type: known_content_type(&path).map(str::to_string),
            },
            Err(error) => {
                warnings.push(format!("Binary file load error: {error}"));
                return Ok(None);
            }
        },
        Body::File { .. } => return Ok(None),
        Body::GraphQl { query, variables } => {
            // The variables text is spliced in as written, as Newman sends it; only an empty
            // text is left out.
            let query = serde_json::Value::String(query.clone());
            let text = match variables.as_deref().filter(|v| !v.is_empty()) {
                Some(variables) => format!("{{\"query\":{query},\"variables\":{variables}}}"),
                None => format!("{{\"query\":{query}}}"),
            };
            EncodedBody {
                bytes: text.into_bytes(),
                content_type: Some("application/json".into()),
            }
        }
    }))
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

/// `application/x-www-form-urlencoded` text of the enabled fields, as Newman's HTTP layer writes
/// it: the fields become an object first, so a repeated key gathers its values at its first place,
/// and keys that read as array indices (`0`, `7`, `42`) come first in numeric order, as a
/// JavaScript object orders them; then `encodeURIComponent` with `!'()*` encoded too (RFC 3986).
pub fn urlencode_fields(fields: &[KeyValue]) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for field in fields.iter().filter(|f| !f.disabled) {
        let value = field.value.as_deref().unwrap_or("");
        match groups.iter_mut().find(|(key, _)| *key == field.key) {
            Some((_, values)) => values.push(value),
            None => groups.push((&field.key, vec![value])),
        }
    }
    let (mut indices, names): (Vec<_>, Vec<_>) = groups
        .into_iter()
        .partition(|(key, _)| array_index(key).is_some());
    indices.sort_by_key(|(key, _)| array_index(key));
    indices
        .iter()
        .chain(&names)
        .flat_map(|(key, values)| {
            values
                .iter()
                .map(move |value| format!("{}={}", form_component(key), form_component(value)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The number a JavaScript object key stands for when it is an array index (a canonical decimal
/// below 2^32 - 1); such keys are listed before all others.
pub(super) fn array_index(key: &str) -> Option<u32> {
    let number: u32 = key.parse().ok()?;
    (number.to_string() == key && number != u32::MAX).then_some(number)
}

fn form_component(text: &str) -> String {
    encode_uri_component(text)
        .replace('!', "%21")
        .replace('\'', "%27")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('*', "%2A")
}

/// A multipart boundary as Newman's form-data library makes it: 26 dashes and 24 random digits.
fn new_boundary() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let digits: String = (0..24)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect();
    format!("--------------------------{digits}")
}

/// A multipart form, as Newman's runtime builds it: a file part whose one source cannot be read
/// is left out (with its warning), as are the sources of a many-file part that cannot be read; a
/// file part without a source is sent empty, as `filename=""`. `None` when no part is left: then
/// no body is sent at all.
fn encode_multipart(
    parts: &[FormPart],
    files: &FileAccess,
    boundary: Option<&str>,
    warnings: &mut Vec<String>,
) -> Option<EncodedBody> {
    let boundary = boundary.map_or_else(new_boundary, str::to_string);
    let mut bytes = Vec::new();
    let mut sent_parts = 0;
    for part in parts.iter().filter(|p| !p.disabled) {
        match &part.content {
            FormContent::Text(value) => {
                let head = PartHead {
                    boundary: &boundary,
                    key: &part.key,
                    filename: None,
                    content_type: part.content_type.as_deref(),
                };
                write_part(&mut bytes, &head, value.as_bytes());
                sent_parts += 1;
            }
            FormContent::Files(sources)
                if sources.iter().all(String::is_empty) && sources.len() < 2 =>
            {
                warnings.push(format!(
                    "Form param `{}`, file load error: missing file source",
                    part.key
                ));
                let head = PartHead {
                    boundary: &boundary,
                    key: &part.key,
                    filename: Some(""),
                    content_type: part.content_type.as_deref(),
                };
                write_part(&mut bytes, &head, b"");
                sent_parts += 1;
            }
            FormContent::Files(sources) => {
                for src in sources {
                    let (path, content) = match files.read(src) {
                        Ok(read) => read,
                        Err(error) => {
                            warnings.push(format!(
                                "Form param `{}`, file load error: {error}",
                                part.key
                            ));
                            continue;
                        }
                    };
                    let name = file_name(&path);
                    let content_type = part.content_type.clone().unwrap_or_else(|| {
                        known_content_type(&path)
                            .unwrap_or("application/octet-stream")
                            .to_string()
                    });
                    let head = PartHead {
                        boundary: &boundary,
                        key: &part.key,
                        filename: Some(&name),
                        content_type: Some(&content_type),
                    };
                    write_part(&mut bytes, &head, &content);
                    sent_parts += 1;
                }
            }
        }
    }
    if sent_parts == 0 {
        return None;
    }
    bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Some(EncodedBody {
        bytes,
        content_type: Some(format!("multipart/form-data; boundary={boundary}")),
    })
}

/// What goes before one part's content: its boundary line and headers.
struct PartHead<'a> {
    boundary: &'a str,
    key: &'a str,
    /// `None` for a text field; a file part always has one, empty when it has no source.
    filename: Option<&'a str>,
    content_type: Option<&'a str>,
}

/// Appends one part: boundary line, `Content-Disposition` (with the file name for a file part),
/// `Content-Type` when there is one, a blank line, the content and its line break.
fn write_part(bytes: &mut Vec<u8>, head: &PartHead, content: &[u8]) {
    let mut text = format!(
        "--{}\r\nContent-Disposition: form-data; name=\"{}\"",
        head.boundary,
        quote(head.key)
    );
    if let Some(filename) = head.filename {
        text.push_str(&format!("; filename=\"{}\"", quote(filename)));
    }
    text.push_str("\r\n");
    if let Some(content_type) = head.content_type {
        text.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    text.push_str("\r\n");
    bytes.extend_from_slice(text.as_bytes());
    bytes.extend_from_slice(content);
    bytes.extend_from_slice(b"\r\n");
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
    fn urlencoded_skips_disabled_fields_and_encodes() {
        let mut off = KeyValue::new("off", "1");
        off.disabled = true;
        let fields = vec![
            KeyValue::new("grant_type", "client_credentials"),
            off,
            KeyValue::new("scope", "openid profile"),
        ];
        assert_eq!(
            urlencode_fields(&fields),
            "grant_type=client_credentials&scope=openid%20profile"
        );
    }

    #[test]
    fn urlencoded_groups_repeated_keys_and_puts_index_keys_first() {
        let mut off = KeyValue::new("off", "1");
        off.disabled = true;
        let fields = vec![
            KeyValue::new("b", "x!'()*y"),
            KeyValue::new("10", "ten"),
            off,
            KeyValue::new("a", "2"),
            KeyValue::new("b", "3"),
            KeyValue::new("2", "two"),
            KeyValue::new("", "empty"),
        ];
        // What Newman 6.2.2 sent for these fields.
        assert_eq!(
            urlencode_fields(&fields),
            "2=two&10=ten&b=x%21%27%28%29%2Ay&b=3&a=2&=empty"
        );
    }

    #[test]
    fn empty_bodies_send_nothing() {
        let files = FileAccess::default();
        let empty_raw = Body::Raw {
            raw: String::new(),
            language: Some("json".into()),
        };
        assert_eq!(
            encode_body(&empty_raw, &files, None, &mut Vec::new()).unwrap(),
            None
        );
        let mut off = KeyValue::new("a", "1");
        off.disabled = true;
        assert_eq!(
            encode_body(&Body::UrlEncoded(vec![off]), &files, None, &mut Vec::new()).unwrap(),
            None
        );
        assert_eq!(
            encode_body(&Body::FormData(vec![]), &files, None, &mut Vec::new()).unwrap(),
            None
        );
        assert_eq!(
            encode_body(&Body::File { src: None }, &files, None, &mut Vec::new()).unwrap(),
            None
        );
    }

    #[test]
    fn a_form_uses_the_boundary_it_is_given_or_makes_newmans_kind() {
        let parts = vec![FormPart {
            key: "a".into(),
            content: FormContent::Text("1".into()),
            content_type: None,
            disabled: false,
        }];
        let files = FileAccess::default();
        let given = encode_body(
            &Body::FormData(parts.clone()),
            &files,
            Some("XyZ"),
            &mut Vec::new(),
        )
        .unwrap()
        .unwrap();
        assert!(given.bytes.starts_with(b"--XyZ\r\n"));
        let made = encode_body(&Body::FormData(parts), &files, None, &mut Vec::new())
            .unwrap()
            .unwrap();
        let boundary =
            made.content_type.unwrap()["multipart/form-data; boundary=".len()..].to_string();
        let digits = boundary.strip_prefix(&"-".repeat(26)).unwrap();
        assert_eq!(digits.len(), 24);
        assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{boundary}");
    }

    #[test]
    fn raw_json_defaults_to_application_json() {
        let body = Body::Raw {
            raw: "{}".into(),
            language: Some("json".into()),
        };
        let encoded = encode_body(&body, &FileAccess::default(), None, &mut Vec::new())
            .unwrap()
            .unwrap();
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
        let encoded = encode_body(
            &Body::FormData(parts),
            &FileAccess::default(),
            None,
            &mut Vec::new(),
        )
        .unwrap()
        .unwrap();
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
            ..FileAccess::default()
        };
        let body = Body::File {
            src: Some("../../etc/hostname".into()),
        };
        let mut warnings = Vec::new();
        assert_eq!(
            encode_body(&body, &access, None, &mut warnings).unwrap(),
            None
        );
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("Binary file load error"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_form_of_unreadable_files_sends_no_body_and_a_file_without_source_is_empty() {
        let file = |sources: Vec<String>| FormPart {
            key: "f".into(),
            content: FormContent::Files(sources),
            content_type: None,
            disabled: false,
        };
        let encode = |parts: Vec<FormPart>, warnings: &mut Vec<String>| {
            encode_body(
                &Body::FormData(parts),
                &FileAccess::default(),
                Some("B"),
                warnings,
            )
            .unwrap()
        };
        let mut warnings = Vec::new();
        let unreadable = vec![
            file(vec!["no-such-file.csv".into()]),
            file(vec!["no-such-1".into(), "no-such-2".into()]),
        ];
        assert_eq!(encode(unreadable, &mut warnings), None);
        assert_eq!(warnings.len(), 3, "{warnings:?}");

        let mut warnings = Vec::new();
        let empty = encode(
            vec![file(Vec::new()), file(vec![String::new()])],
            &mut warnings,
        )
        .expect("a file part without a source is still sent");
        let part = "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n\r\n\r\n";
        assert_eq!(
            String::from_utf8(empty.bytes).unwrap(),
            format!("{part}{part}--B--\r\n")
        );
        assert!(warnings[0].ends_with("missing file source"), "{warnings:?}");
    }

    #[test]
    fn an_unreadable_form_file_is_left_out_and_the_rest_is_sent() {
        let parts = vec![
            FormPart {
                key: "file".into(),
                content: FormContent::Files(vec!["no-such-file.csv".into()]),
                content_type: None,
                disabled: false,
            },
            FormPart {
                key: "a".into(),
                content: FormContent::Text("1".into()),
                content_type: None,
                disabled: false,
            },
        ];
        let mut warnings = Vec::new();
        let encoded = encode_body(
            &Body::FormData(parts),
            &FileAccess::default(),
            None,
            &mut warnings,
        )
        .unwrap()
        .unwrap();
        let text = String::from_utf8(encoded.bytes).unwrap();
        assert!(!text.contains("name=\"file\""));
        assert!(text.contains("name=\"a\""));
        assert!(
            warnings[0].starts_with("Form param `file`, file load error"),
            "{warnings:?}"
        );
    }

    #[test]
    fn graphql_is_sent_as_json_with_parsed_variables() {
        let body = Body::GraphQl {
            query: "{ a }".into(),
            variables: Some("{\"x\": 1}".into()),
        };
        let encoded = encode_body(&body, &FileAccess::default(), None, &mut Vec::new())
            .unwrap()
            .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&encoded.bytes).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"query": "{ a }", "variables": {"x": 1}})
        );
        let bare = Body::GraphQl {
            query: "{a}".into(),
            variables: Some(String::new()),
        };
        let encoded = encode_body(&bare, &FileAccess::default(), None, &mut Vec::new())
            .unwrap()
            .unwrap();
        assert_eq!(encoded.bytes, br#"{"query":"{a}"}"#);
    }
}
