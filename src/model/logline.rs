//! A log line read as a person reads it: its own time, its level, its message, then its other
//! fields. JSON objects (as `tracing`, `logback`, `pino`, `zap`, … write them) and logfmt lines
//! (`time=… level=info msg="…" key=value`) are parsed once, when the line arrives; anything else
//! is plain text whose level is the first level word in it.

use serde_json::Value;

/// How the log panel shows a line; `J` cycles compact → pretty → raw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// `time level message key=value …`.
    #[default]
    Compact,
    /// Every field on its own row (indented JSON for a JSON line).
    Pretty,
    /// The event as it was written.
    Raw,
}

impl LogFormat {
    pub fn next(self) -> LogFormat {
        match self {
            LogFormat::Compact => LogFormat::Pretty,
            LogFormat::Pretty => LogFormat::Raw,
            LogFormat::Raw => LogFormat::Compact,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Compact => "compact",
            LogFormat::Pretty => "pretty",
            LogFormat::Raw => "raw",
        }
    }
}

/// A log line's level: from its level field, else the first level word in its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Unknown,
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    /// `error`, `ERR`, `fatal`, `Warning`, … as a level; `None` for other words.
    pub fn from_word(word: &str) -> Option<Level> {
        Some(match word.to_ascii_uppercase().as_str() {
            "ERROR" | "ERR" | "FATAL" | "CRITICAL" | "CRIT" | "PANIC" | "ALERT" | "EMERG" => {
                Level::Error
            }
            "WARN" | "WARNING" => Level::Warn,
            "INFO" | "NOTICE" => Level::Info,
            "DEBUG" | "TRACE" => Level::Debug,
            _ => return None,
        })
    }

    /// Five columns wide, as the compact form aligns it.
    pub fn label(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN ",
            Level::Info => "INFO ",
            Level::Debug => "DEBUG",
            Level::Unknown => "     ",
        }
    }
}

/// What kind of text a line held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Json,
    Logfmt,
    Plain,
}

/// A line's parts. For a plain line only `level` is known.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub shape: Shape,
    /// The line's own timestamp, unix milliseconds.
    pub time_ms: Option<i64>,
    pub level: Level,
    pub message: Option<String>,
    /// The other fields in the order written; nested objects flattened as `a.b`.
    pub fields: Vec<(String, String)>,
}

/// Field names that hold the time, the level and the message, in the order they are tried.
const TIME_KEYS: [&str; 5] = ["timestamp", "time", "ts", "@timestamp", "datetime"];
const LEVEL_KEYS: [&str; 5] = ["level", "severity", "lvl", "log.level", "loglevel"];
const MESSAGE_KEYS: [&str; 5] = ["message", "msg", "@message", "fields.message", "event"];

impl Parsed {
    /// Parse `text` once: a JSON object, a logfmt line, or plain text.
    pub fn parse(text: &str) -> Parsed {
        let trimmed = text.trim();
        if trimmed.starts_with('{') {
            if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(trimmed) {
                let mut fields = Vec::new();
                for (k, v) in map {
                    flatten(k, v, &mut fields);
                }
                return Parsed::from_fields(Shape::Json, fields);
            }
        }
        if let Some(fields) = logfmt(trimmed) {
            return Parsed::from_fields(Shape::Logfmt, fields);
        }
        Parsed {
            shape: Shape::Plain,
            time_ms: None,
            level: trimmed
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| !w.is_empty())
                .take(8)
                .find_map(Level::from_word)
                .unwrap_or(Level::Unknown),
            message: None,
            fields: Vec::new(),
        }
    }

    fn from_fields(shape: Shape, mut fields: Vec<(String, String)>) -> Parsed {
        let time = take(&mut fields, &TIME_KEYS);
        let level = take(&mut fields, &LEVEL_KEYS);
        let message = take(&mut fields, &MESSAGE_KEYS);
        Parsed {
            shape,
            time_ms: time.as_deref().and_then(parse_time),
            level: level
                .as_deref()
                .and_then(Level::from_word)
                .unwrap_or(Level::Unknown),
            message,
            fields,
        }
    }

    /// A field's value by its name, or by the last part of a dotted name (`status` finds
    /// `http.status`); `level` and `message` name the parsed ones.
    pub fn field(&self, key: &str) -> Option<&str> {
        match key {
            "level" => return Some(self.level.label().trim_end()),
            "message" | "msg" => return self.message.as_deref(),
            _ => {}
        }
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .or_else(|| {
                self.fields
                    .iter()
                    .find(|(k, _)| k.rsplit('.').next() == Some(key))
            })
            .map(|(_, v)| v.as_str())
    }

    /// The fields the compact form shows: all but the `hidden` ones (a hidden `span` hides
    /// `span.name` too).
    pub fn shown_fields<'a>(
        &'a self,
        hidden: &'a [String],
    ) -> impl Iterator<Item = &'a (String, String)> + 'a {
        self.fields.iter().filter(move |(k, _)| {
            !hidden.iter().any(|h| {
                k.strip_prefix(h.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
        })
    }

    /// `message key=value …` without the `hidden` fields; `None` for a plain line.
    pub fn compact(&self, hidden: &[String]) -> Option<String> {
        if self.shape == Shape::Plain {
            return None;
        }
        let mut out = self.message.clone().unwrap_or_default();
        for (k, v) in self.shown_fields(hidden) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(k);
            out.push('=');
            out.push_str(&quoted(v));
        }
        Some(out)
    }
}

/// A field's value as the compact form writes it: quoted when empty or holding spaces.
pub fn quoted(value: &str) -> std::borrow::Cow<'_, str> {
    if value.is_empty() || value.contains(char::is_whitespace) {
        format!("{value:?}").into()
    } else {
        value.into()
    }
}

/// Remove and return the first of `keys` present in `fields`.
fn take(fields: &mut Vec<(String, String)>, keys: &[&str]) -> Option<String> {
    for key in keys {
        if let Some(i) = fields.iter().position(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return Some(fields.remove(i).1);
        }
    }
    None
}

fn flatten(key: String, value: Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                flatten(format!("{key}.{k}"), v, out);
            }
        }
        Value::String(s) => out.push((key, s)),
        Value::Null => out.push((key, "null".into())),
        other => out.push((key, other.to_string())),
    }
}

/// An RFC 3339 time, or epoch seconds / milliseconds, as unix milliseconds.
fn parse_time(text: &str) -> Option<i64> {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Some(t.as_millisecond());
    }
    let n: f64 = text.parse().ok()?;
    // Seconds until the year 5138; anything larger is milliseconds.
    Some(if n < 1e11 {
        (n * 1000.0) as i64
    } else {
        n as i64
    })
}

/// `key=value key="quoted value" …` with at least two pairs and nothing else; else `None`.
fn logfmt(text: &str) -> Option<Vec<(String, String)>> {
    let mut fields = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let key = &rest[..eq];
        if key.is_empty() || key.contains(char::is_whitespace) || key.contains('"') {
            return None;
        }
        rest = &rest[eq + 1..];
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next()? {
                    (i, '"') => break i,
                    (_, '\\') => value.push(chars.next()?.1),
                    (_, c) => value.push(c),
                }
            };
            rest = &quoted[end + 1..];
            value
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let value = rest[..end].to_owned();
            rest = &rest[end..];
            value
        };
        fields.push((key.to_owned(), value));
        rest = rest.trim_start();
    }
    (fields.len() >= 2).then_some(fields)
}

#[cfg(test)]
#[path = "logline_tests.rs"]
mod tests;
