//! Iteration data files (`-d`): a JSON array of objects, or CSV with a header row, read as Newman reads
//! them (JSON first, CSV otherwise; fields trimmed; unquoted numbers become numbers).

use std::path::Path;

use serde_json::{Map, Number, Value};

use super::LoadError;
use super::json::Node;
use super::source::{parse_json, read_text};

/// One iteration's data row.
pub type DataRow = Map<String, Value>;

/// Loads a data file: a JSON array of objects, or else CSV.
pub fn load_data(path: &Path) -> Result<Vec<DataRow>, LoadError> {
    let text = read_text(path)?;
    data_from_text(&text, path)
}

/// Reads data text that came from `path` (a file or a URL): a JSON array of objects, or else CSV.
pub fn data_from_text(text: &str, path: &Path) -> Result<Vec<DataRow>, LoadError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        // Parsed untrimmed so line numbers in errors match the file.
        let document = parse_json(path, text)?;
        return rows_from_json(&document, path);
    }
    parse_csv(text, path)
}

fn rows_from_json(document: &Value, path: &Path) -> Result<Vec<DataRow>, LoadError> {
    let root = Node::root(document, path, "");
    let rows = root
        .array()
        .map_err(|_| root.error("an array of objects (one per iteration)"))?;
    rows.iter().map(|row| row.object().cloned()).collect()
}

/// Parses CSV text: a header row names the columns; quoted fields may hold commas, newlines and `""`
/// or `\"` quotes; whitespace around fields is trimmed; unquoted integers and decimals become numbers.
pub fn parse_csv(text: &str, path: &Path) -> Result<Vec<DataRow>, LoadError> {
    let records = split_records(text, path)?;
    let mut records = records.into_iter();
    let Some((_, header)) = records.next() else {
        return Ok(Vec::new());
    };
    let columns: Vec<String> = header.into_iter().map(|f| f.text).collect();
    let mut rows = Vec::new();
    for (line, record) in records {
        // As in Newman, a short row leaves its last columns undefined; a long one is an error.
        if record.len() > columns.len() {
            return Err(LoadError::Csv {
                path: path.to_path_buf(),
                line: Some(line),
                message: format!(
                    "the row has {} fields but the header names {} columns",
                    record.len(),
                    columns.len()
                ),
            });
        }
        let row = columns
            .iter()
            .cloned()
            .zip(record.into_iter().map(Field::into_value))
            .collect();
        rows.push(row);
    }
    Ok(rows)
}

struct Field {
    text: String,
    quoted: bool,
}

impl Field {
    fn into_value(self) -> Value {
        if self.quoted {
            return Value::String(self.text);
        }
        cast_number(&self.text).unwrap_or(Value::String(self.text))
    }
}

fn cast_number(text: &str) -> Option<Value> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() {
        return None;
    }
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(int) = text.parse::<i64>() {
            return Some(Value::Number(int.into()));
        }
    }
    let decimal = digits.split_once('.').is_some_and(|(whole, frac)| {
        !frac.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
    });
    if decimal || digits.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number);
    }
    None
}

/// Splits CSV text into records of fields, each record with its one-based starting line.
fn split_records(text: &str, path: &Path) -> Result<Vec<(u64, Vec<Field>)>, LoadError> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line: u64 = 1;
    while chars.peek().is_some() {
        let start_line = line;
        let mut record = Vec::new();
        loop {
            while matches!(chars.peek(), Some(' ' | '\t')) {
                chars.next();
            }
            let mut field = Field {
                text: String::new(),
                quoted: false,
            };
            if chars.peek() == Some(&'"') {
                chars.next();
                field.quoted = true;
                loop {
                    match chars.next() {
                        None => {
                            return Err(LoadError::Csv {
                                path: path.to_path_buf(),
                                line: Some(start_line),
                                message: "a quoted field is never closed".into(),
                            });
                        }
                        Some('\\') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.text.push('"');
                        }
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.text.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            field.text.push(c);
                        }
                    }
                }
                while matches!(chars.peek(), Some(' ' | '\t')) {
                    chars.next();
                }
                if !matches!(chars.peek(), None | Some(',' | '\n' | '\r')) {
                    return Err(LoadError::Csv {
                        path: path.to_path_buf(),
                        line: Some(line),
                        message: "unexpected text after a closing quote".into(),
                    });
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if matches!(c, ',' | '\n' | '\r') {
                        break;
                    }
                    field.text.push(c);
                    chars.next();
                }
                field.text.truncate(field.text.trim_end().len());
            }
            record.push(field);
            match chars.next() {
                Some(',') => continue,
                Some('\r') => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    break;
                }
                Some('\n') => {
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        let blank = record.len() == 1 && !record[0].quoted && record[0].text.is_empty();
        if !blank {
            records.push((start_line, record));
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn csv(text: &str) -> Vec<DataRow> {
        parse_csv(text, Path::new("d.csv")).unwrap()
    }

    #[test]
    fn quoted_fields_keep_commas_and_doubled_quotes() {
        let rows = csv("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n");
        assert_eq!(rows[0]["a"], json!("x, y"));
        assert_eq!(rows[0]["b"], json!("say \"hi\""));
    }

    #[test]
    fn unquoted_numbers_become_numbers_and_quoted_stay_text() {
        let rows = csv("n,neg,q,f,empty\n7890,-7890,\"00123\",1.5,\n");
        assert_eq!(rows[0]["n"], json!(7890));
        assert_eq!(rows[0]["neg"], json!(-7890));
        assert_eq!(rows[0]["q"], json!("00123"));
        assert_eq!(rows[0]["f"], json!(1.5));
        assert_eq!(rows[0]["empty"], json!(""));
    }

    #[test]
    fn fields_and_headers_are_trimmed_and_inner_quotes_kept() {
        let rows = csv(" a , b ,c\n \"foo\" ,\"bar\" , x \"y\" z\n");
        assert_eq!(rows[0]["a"], json!("foo"));
        assert_eq!(rows[0]["b"], json!("bar"));
        assert_eq!(rows[0]["c"], json!("x \"y\" z"));
    }

    #[test]
    fn quoted_newlines_and_crlf_rows() {
        let rows = csv("a,b\r\n\"1\n2\",3\r\n4,5\r\n");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["a"], json!("1\n2"));
        assert_eq!(rows[1]["b"], json!(5));
    }

    #[test]
    fn a_short_row_leaves_its_last_columns_undefined() {
        let rows = csv("c1,c2,c3\n\"123\", foo \"bar\" baz\n");
        assert_eq!(rows[0]["c1"], Value::String("123".into()));
        assert_eq!(rows[0]["c2"], Value::String("foo \"bar\" baz".into()));
        assert!(!rows[0].contains_key("c3"));
    }

    #[test]
    fn ragged_row_names_its_line() {
        let err = parse_csv("a,b\n1,2\n3,4,5\n", Path::new("d.csv")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.csv:3: invalid CSV: the row has 3 fields but the header names 2 columns"
        );
    }

    #[test]
    fn unclosed_quote_is_an_error() {
        assert!(parse_csv("a\n\"oops\n", Path::new("d.csv")).is_err());
    }

    #[test]
    fn json_syntax_errors_count_lines_from_the_top_of_the_file() {
        let dir = std::env::temp_dir().join(format!("baton-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("d.json");
        std::fs::write(&file, "\n\n[{\"a\": }]").unwrap();
        let err = load_data(&file).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(err.contains("d.json:3:"), "{err}");
    }

    #[test]
    fn json_rows_must_be_objects() {
        let err = rows_from_json(&json!([{"a": 1}, 2]), Path::new("d.json")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.json: [1]: expected an object, found a number"
        );
    }
}
