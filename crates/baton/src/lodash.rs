//! The one lodash behaviour Newman's output depends on outside scripts: splitting text into words
//! (`_.words`), which decides which header an API key replaces and the classnames of JUnit test
//! cases. Written here because it is a few lines and no crate mirrors lodash's rules.

/// The words of `text` as lodash finds them: runs of letters and digits, split where a lower-case
/// letter meets an upper-case one (`getUser`), before the last capital of a capital run followed by
/// a lower-case letter (`XMLHttp`), and between letters and digits (`v2`).
pub fn words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = match i.checked_sub(1).map(|p| chars[p]) {
            Some(p) if !current.is_empty() => {
                let next = chars.get(i + 1).copied();
                (p.is_lowercase() && c.is_uppercase())
                    || (p.is_uppercase()
                        && c.is_uppercase()
                        && next.is_some_and(char::is_lowercase))
                    || (p.is_numeric() != c.is_numeric())
            }
            _ => false,
        };
        if boundary {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn words_split_as_lodash_splits_them() {
        // What lodash 4.17.21's `_.words` gives for each.
        assert_eq!(words("F / A"), ["F", "A"]);
        assert_eq!(
            words("Admin token / client_credentials"),
            ["Admin", "token", "client", "credentials"]
        );
        assert_eq!(words("getUser by ID"), ["get", "User", "by", "ID"]);
        assert_eq!(
            words("XMLHttpRequest v2"),
            ["XML", "Http", "Request", "v", "2"]
        );
        assert_eq!(words("abc123def"), ["abc", "123", "def"]);
        assert_eq!(words("x-api-key"), ["x", "api", "key"]);
        assert!(words("***").is_empty());
    }
}
