//! Splitting `+++` TOML front matter from a Markdown body.

/// Front matter text, its byte offset in the file, the body and its offset.
pub struct Split<'a> {
    /// TOML between the fences.
    pub front: &'a str,
    /// Offset of `front` in the file.
    pub front_offset: usize,
    /// Markdown after the closing fence.
    pub body: &'a str,
    /// Offset of `body` in the file.
    pub body_offset: usize,
}

/// Why a file has no usable front matter.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SplitError {
    /// The file does not start with `+++`.
    #[error("missing front matter: the file must start with a `+++` line")]
    NoOpening,
    /// The file starts with a YAML `---` fence.
    #[error("front matter must be TOML between `+++` lines, found a `---` (YAML) fence: replace both `---` lines with `+++` and write the fields as TOML (`title = \"…\"`)")]
    YamlFence,
    /// The opening fence is never closed.
    #[error("unclosed front matter: no closing `+++` line")]
    NoClosing,
}

/// Splits a Markdown file into front matter and body.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[start..];
    let first_len = match rest.find('\n') {
        Some(i) if rest[..i].trim_end() == "+++" => i + 1,
        None if rest.trim_end() == "+++" => return Err(SplitError::NoClosing),
        _ if rest.lines().next().is_some_and(|l| l.trim_end() == "---") => {
            return Err(SplitError::YamlFence)
        }
        _ => return Err(SplitError::NoOpening),
    };
    let front_offset = start + first_len;
    let mut pos = front_offset;
    for line in text[front_offset..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let body_offset = pos + line.len();
            return Ok(Split {
                front: &text[front_offset..pos],
                front_offset,
                body: &text[body_offset..],
                body_offset,
            });
        }
        pos += line.len();
    }
    Err(SplitError::NoClosing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_and_body() {
        let s = split("+++\ntitle = \"a\"\n+++\nbody\n").unwrap();
        assert_eq!(s.front, "title = \"a\"\n");
        assert_eq!(s.front_offset, 4);
        assert_eq!(s.body, "body\n");
    }

    #[test]
    fn reports_missing_fences() {
        assert_eq!(split("title = 1\n").err(), Some(SplitError::NoOpening));
        assert_eq!(split("+++\ntitle = 1\n").err(), Some(SplitError::NoClosing));
        assert_eq!(
            split("---\ntitle: a\n---\n").err(),
            Some(SplitError::YamlFence)
        );
    }

    #[test]
    fn handles_crlf_and_bom() {
        let s = split("\u{feff}+++\r\na = 1\r\n+++\r\nx").unwrap();
        assert_eq!(s.front, "a = 1\r\n");
        assert_eq!(s.body, "x");
    }
}
