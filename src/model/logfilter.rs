//! The `/` filter: words separated by spaces, every one must match. A word `key<op>value`
//! (op one of `=`, `!=`, `>=`, `<=`, `>`, `<`) tests a field of a structured log line —
//! `level>=warn`, `status=5*` (`*` matches anything), `route=/messages`, `latency_ms>250`;
//! any other word (or a `"quoted phrase"`) is found anywhere in the line, case-insensitively.
//! On a plain line a field word is looked for as text; lists other than the logs (events,
//! tasks, alarms) apply only the text words.

use super::logline::{Level, Parsed, Shape};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Ge,
    Gt,
    Le,
    Lt,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Term {
    Text(String),
    Field {
        key: String,
        op: Op,
        value: String,
        /// The word as typed, looked for as text on a plain line.
        word: String,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    terms: Vec<Term>,
}

impl LogFilter {
    pub fn parse(filter: &str) -> LogFilter {
        LogFilter {
            terms: words(filter).into_iter().map(term).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Does a log line (its raw `text`, its `stream`, its parts) pass every word?
    pub fn matches_line(&self, text: &str, stream: &str, parsed: &Parsed) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Text(word) => {
                contains_ignore_case(text, word) || contains_ignore_case(stream, word)
            }
            Term::Field {
                key,
                op,
                value,
                word,
            } => {
                if key == "level" {
                    return compare_level(parsed.level, *op, value);
                }
                if parsed.shape == Shape::Plain {
                    return contains_ignore_case(text, word);
                }
                match parsed.field(key) {
                    Some(actual) => compare(actual, *op, value),
                    None => false,
                }
            }
        })
    }

    /// Does a list row pass the text words (field words are for log lines)?
    pub fn matches_text(&self, text: &str) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Text(word) => contains_ignore_case(text, word),
            Term::Field { .. } => true,
        })
    }
}

/// The filter's words: split at spaces, a `"…"` kept whole.
fn words(filter: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in filter.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn term(word: String) -> Term {
    let key_end = word
        .find(|c: char| !(c.is_ascii_alphanumeric() || "_.@-".contains(c)))
        .unwrap_or(word.len());
    let (key, rest) = word.split_at(key_end);
    let op = [
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("!=", Op::Ne),
        ("=", Op::Eq),
        (">", Op::Gt),
        ("<", Op::Lt),
    ]
    .into_iter()
    .find(|(s, _)| rest.starts_with(s));
    match op {
        Some((sign, op)) if !key.is_empty() => Term::Field {
            key: key.to_owned(),
            op,
            value: match op {
                Op::Eq | Op::Ne => rest[sign.len()..].to_lowercase(),
                _ => rest[sign.len()..].to_owned(),
            },
            word: word.clone(),
        },
        _ => Term::Text(word),
    }
}

fn compare_level(level: Level, op: Op, value: &str) -> bool {
    let Some(wanted) = Level::from_word(value) else {
        return false;
    };
    if level == Level::Unknown {
        return false;
    }
    ordered(level.cmp(&wanted), op)
}

fn compare(actual: &str, op: Op, value: &str) -> bool {
    match op {
        Op::Eq => glob(actual, value),
        Op::Ne => !glob(actual, value),
        _ => match (actual.parse::<f64>(), value.parse::<f64>()) {
            (Ok(a), Ok(v)) => a.partial_cmp(&v).is_some_and(|o| ordered(o, op)),
            _ => ordered(actual.cmp(value), op),
        },
    }
}

fn ordered(o: std::cmp::Ordering, op: Op) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Eq => o == Equal,
        Op::Ne => o != Equal,
        Op::Ge => o != Less,
        Op::Gt => o == Greater,
        Op::Le => o != Greater,
        Op::Lt => o == Less,
    }
}

/// `pattern` (lower case, as [`term`] keeps it) with `*` wildcards matches all of `text`,
/// case-insensitively; no allocation for a text already in lower case (most field values).
fn glob(text: &str, pattern: &str) -> bool {
    let text: std::borrow::Cow<str> = if text.chars().any(char::is_uppercase) {
        text.to_lowercase().into()
    } else {
        text.into()
    };
    super::glob::glob_match(pattern, &text)
}

/// Case-insensitive substring test; an empty needle is found everywhere. ASCII (the usual log
/// line) is compared in place, candidates found by their first byte (memchr): a filter runs over the
/// whole 10,000-line buffer on every frame.
pub fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    if needle.is_ascii() && haystack.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle.as_bytes());
        let Some((&first, rest)) = n.split_first() else {
            return true;
        };
        if h.len() < n.len() {
            return false;
        }
        let last_start = h.len() - n.len();
        return memchr::memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), h)
            .take_while(|&i| i <= last_start)
            .any(|i| h[i + 1..i + n.len()].eq_ignore_ascii_case(rest));
    }
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes(filter: &str, text: &str) -> bool {
        LogFilter::parse(filter).matches_line(text, "courier/courier/abc123", &Parsed::parse(text))
    }

    const ERROR: &str =
        r#"{"level":"ERROR","message":"send failed","status":503,"route":"/messages"}"#;
    const INFO: &str = r#"{"level":"INFO","message":"sent","status":201,"route":"/messages"}"#;
    const LOGFMT: &str = r#"level=warn msg="slow query" latency_ms=812 route=/health"#;

    #[test]
    fn field_words_test_fields_and_text_words_the_whole_line() {
        let table = [
            ("level>=warn", ERROR, true),
            ("level>=warn", INFO, false),
            ("level>=warn", LOGFMT, true),
            ("level=error", ERROR, true),
            ("level<info", INFO, false),
            ("status=5*", ERROR, true),
            ("status=5*", INFO, false),
            ("status!=201", INFO, false),
            ("status>=500", ERROR, true),
            ("latency_ms>250", LOGFMT, true),
            ("latency_ms<250", LOGFMT, false),
            ("route=/messages", ERROR, true),
            ("route=/messages", LOGFMT, false),
            ("route=/mess*", INFO, true),
            ("missing=1", INFO, false),
            ("send", ERROR, true),
            ("SEND FAILED", ERROR, true),
            ("send boom", ERROR, false),
            ("\"send failed\"", ERROR, true),
            ("level>=warn route=/messages", ERROR, true),
            ("level>=warn route=/messages", LOGFMT, false),
            ("abc123", INFO, true),
            ("", INFO, true),
            // Plain lines: the level word counts, a field word is looked for as text.
            ("level>=warn", "2026-12-02 WARN disk almost full", true),
            ("level>=warn", "all good", false),
            ("id=42", "processing id=42 done", true),
            ("id=42", "processing id=43 done", false),
        ];
        for (filter, line, expected) in table {
            assert_eq!(passes(filter, line), expected, "{filter:?} on {line}");
        }
    }

    #[test]
    fn lists_apply_only_the_text_words() {
        let filter = LogFilter::parse("level>=warn deploy");
        assert!(filter.matches_text("Deployment started"));
        assert!(!filter.matches_text("task stopped"));
        assert!(LogFilter::parse("").matches_text("anything"));
        assert!(LogFilter::parse("").is_empty());
    }

    #[test]
    fn text_is_found_whatever_its_case() {
        assert!(contains_ignore_case("POST /Messages 202", "messages"));
        assert!(contains_ignore_case("abc", "ABC") && contains_ignore_case("abc", ""));
        assert!(!contains_ignore_case("ab", "abc") && !contains_ignore_case("", "a"));
        assert!(
            contains_ignore_case("aab", "ab"),
            "a candidate that fails, then one that holds"
        );
        assert!(contains_ignore_case("Ünïcode ERROR", "error"));
    }

    #[test]
    fn globs_anchor_both_ends() {
        assert!(glob("503", "5*"));
        assert!(
            glob("/Messages", "/messages"),
            "the text's case does not count"
        );
        assert!(glob("503", "*3"));
        assert!(glob("503", "5*3"));
        assert!(!glob("5", "5*5"));
        assert!(glob("/messages/42", "/messages/*"));
        assert!(glob("a-b-c", "a*b*c"));
        assert!(!glob("a-c-b", "a*b*c"));
    }
}
