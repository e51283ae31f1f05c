//! The doctor's rows and their two forms: a text table that fits 80 columns, and JSON. Pure.

use crate::aws::error::AwsErrorKind;
use crate::aws::probe::{Outcome, NO_SUCH};
use serde::Serialize;

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mark {
    Pass,
    Fail,
    /// Not tried (a check before it failed, or it cannot be tried here): no failure of its own.
    Skip,
}

impl Mark {
    fn symbol(self) -> char {
        match self {
            Mark::Pass => '✓',
            Mark::Fail => '✗',
            Mark::Skip => '–',
        }
    }
}

/// One line of the report: what was checked, how it came out, what was found, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub check: String,
    pub result: Mark,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Row {
    pub fn pass(check: &str, detail: impl Into<String>) -> Row {
        Row::new(check, Mark::Pass, detail.into(), None)
    }

    pub fn skip(check: &str, why: impl Into<String>) -> Row {
        Row::new(
            check,
            Mark::Skip,
            format!("not tried: {}", why.into()),
            None,
        )
    }

    /// A failure from one of stackdeck's one-line messages, "cause; fix": split at its last
    /// `; ` outside parentheses.
    pub fn fail(check: &str, message: &str) -> Row {
        let (detail, fix) = split_fix(message);
        Row::new(check, Mark::Fail, detail, fix)
    }

    fn new(check: &str, result: Mark, detail: String, fix: Option<String>) -> Row {
        Row {
            check: check.into(),
            result,
            detail,
            fix,
        }
    }
}

fn split_fix(message: &str) -> (String, Option<String>) {
    let mut depth = 0i32;
    let mut last = None;
    for (i, c) in message.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ';' if depth == 0 && message[i..].starts_with("; ") => last = Some(i),
            _ => {}
        }
    }
    match last {
        Some(i) => (message[..i].to_owned(), Some(message[i + 2..].to_owned())),
        None => (message.to_owned(), None),
    }
}

/// The row of IAM action `action` from its probe (`None`: the doctor has none for it).
pub fn read_row(action: &str, outcome: Option<Outcome>) -> Row {
    let Some(outcome) = outcome else {
        return Row::skip(action, "stackdeck doctor has no probe for this action yet");
    };
    match outcome {
        Outcome::Answered(on) => Row::pass(action, format!("allowed ({on})")),
        Outcome::Failed(on, e) => match e.kind {
            AwsErrorKind::NotFound if on.contains(NO_SUCH) => Row::pass(
                action,
                "allowed (tried on a name no resource has: only the permission counts)",
            ),
            AwsErrorKind::NotFound => Row::pass(
                action,
                format!("allowed, but {on} was not found: check the stack's resources"),
            ),
            AwsErrorKind::AccessDenied => Row::new(
                action,
                Mark::Fail,
                format!("access denied ({on})"),
                Some(format!(
                    "needs IAM action {action}: add it to the caller's policy (the read-only \
                     policy of stackdeck's operator module has it)"
                )),
            ),
            _ => Row::fail(action, &e.message),
        },
        Outcome::NotTried(why) => Row::skip(action, why),
    }
}

/// 0 when nothing failed, 1 otherwise.
pub fn exit_code(rows: &[Row]) -> i32 {
    i32::from(rows.iter().any(|r| r.result == Mark::Fail))
}

/// The summary line.
fn summary(rows: &[Row]) -> String {
    let count = |mark| rows.iter().filter(|r| r.result == mark).count();
    let (failed, skipped) = (count(Mark::Fail), count(Mark::Skip));
    let tried = rows.len() - skipped;
    let not_tried = match skipped {
        0 => String::new(),
        n => format!(", {n} not tried"),
    };
    match failed {
        0 => format!("all {tried} checks passed{not_tried}"),
        n => format!("{n} of {tried} checks failed{not_tried}"),
    }
}

pub const WIDTH: usize = 80;
/// The name column; a longer name puts its detail on the next line.
const NAME: usize = 25;

/// The report as text: a header, one row a check (wrapped to 80 columns, the fix under it), and
/// the summary.
pub fn text(header: &str, rows: &[Row]) -> String {
    let mut out = String::new();
    for line in wrap(header, WIDTH) {
        out += &line;
        out.push('\n');
    }
    let indent = " ".repeat(2 + NAME + 2);
    for row in rows {
        let mut first = format!("{} {:<NAME$}  ", row.result.symbol(), row.check);
        if row.check.chars().count() > NAME {
            out += first.trim_end();
            out.push('\n');
            first = indent.clone();
        }
        for (i, line) in wrap(&row.detail, WIDTH - indent.len()).iter().enumerate() {
            out += if i == 0 { &first } else { &indent };
            out += line;
            out.push('\n');
        }
        if let Some(fix) = &row.fix {
            for line in wrap(&format!("fix: {fix}"), WIDTH - indent.len()) {
                out += &indent;
                out += &line;
                out.push('\n');
            }
        }
    }
    out += &summary(rows);
    out.push('\n');
    out
}

/// The report as JSON: `ok`, the header's facts, and the rows.
pub fn json(facts: serde_json::Value, rows: &[Row]) -> serde_json::Value {
    serde_json::json!({
        "ok": exit_code(rows) == 0,
        "summary": summary(rows),
        "target": facts,
        "checks": rows,
    })
}

/// `text` in lines of at most `width` characters, broken at spaces (a word longer than a line
/// is broken inside).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        let used = line.chars().count();
        if used > 0 && used + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if line.is_empty() {
            while word.len() > width {
                lines.push(word.drain(..width).collect());
            }
        } else {
            line.push(' ');
        }
        line.extend(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
