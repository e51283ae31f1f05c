//! `stackdeck logs`: the service's log events printed as the log panel shows them — compact
//! (`time stream level message key=value …`), raw, or one JSON object a line for `jq`.

use crate::aws::logs::{History, Logs, Tail};
use crate::cli::LogsFormat;
use crate::model::dashboard::LogLine;
use crate::model::logline::{Parsed, Shape};
use crate::model::logs::TailEvent;
use crate::model::stack::StackResources;
use crate::ui::format;
use std::io::Write;
use std::time::Duration;

/// What `stackdeck logs` prints.
pub struct Options<'a> {
    /// How far back.
    pub since: Duration,
    /// A CloudWatch Logs filter pattern.
    pub pattern: Option<&'a str>,
    pub follow: bool,
    pub format: LogsFormat,
    /// Fields the compact form leaves out.
    pub hidden: Vec<String>,
}

/// One event as a line of `format`.
pub fn render(line: &LogLine, format: LogsFormat, hidden: &[String]) -> String {
    if format == LogsFormat::Raw {
        // Not parsed: the fastest form, for a pipe that wants the events as written.
        return format!(
            "{} {} {}",
            format::clock(line.at_ms),
            line.stream,
            line.message
        );
    }
    let parsed = Parsed::parse(&line.message);
    if format == LogsFormat::Compact {
        return match parsed.compact(hidden) {
            Some(text) => format!(
                "{} {} {} {text}",
                format::clock(parsed.time_ms.unwrap_or(line.at_ms)),
                line.stream,
                parsed.level.label()
            ),
            None => format!(
                "{} {} {}",
                format::clock(line.at_ms),
                line.stream,
                line.message
            ),
        };
    }
    // JSON: one object a line, for jq.
    let time = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    let level = parsed.level.label().trim_end().to_ascii_lowercase();
    let fields: serde_json::Map<String, serde_json::Value> = parsed
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::json!({
        "time": time(parsed.time_ms.unwrap_or(line.at_ms)),
        "ingested": time(line.at_ms),
        "stream": line.stream,
        "level": if level.is_empty() { None } else { Some(level) },
        "message": parsed.message.clone().unwrap_or_else(|| line.message.clone()),
        "fields": fields,
        "structured": parsed.shape != Shape::Plain,
    })
    .to_string()
}

fn print(out: &mut impl Write, lines: &[LogLine], options: &Options) -> std::io::Result<()> {
    for line in lines {
        writeln!(out, "{}", render(line, options.format, &options.hidden))?;
    }
    Ok(())
}

pub async fn run(
    sdk: &aws_config::SdkConfig,
    profile: &str,
    stack: &StackResources,
    options: Options<'_>,
) -> i32 {
    let Options {
        since,
        pattern,
        follow,
        ..
    } = options;
    let Some(group) = stack.get("log_group") else {
        eprintln!("stackdeck: {}", stack.missing_message("log_group"));
        return 2;
    };
    let logs = Logs::new(sdk, profile.to_owned());
    let now = jiff::Timestamp::now().as_millisecond();
    let start = now - since.as_millis() as i64;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    if follow {
        let tail = Tail {
            group,
            start_ms: start,
            history: History::All,
            pattern,
            every: Duration::from_secs(2),
        };
        // The tail keeps trying after an error: each new error is shown once, as it happens.
        let mut last_error = None;
        logs.tail(tail, |event| match event {
            TailEvent::Lines(lines) => {
                last_error = None;
                print(&mut out, &lines, &options).is_ok() && out.flush().is_ok()
            }
            TailEvent::Mode(mode) => {
                eprintln!("stackdeck: {group}: {mode}");
                true
            }
            TailEvent::Error(e) => {
                if last_error.as_ref() != Some(&e) {
                    eprintln!("stackdeck: {e} (still trying)");
                    last_error = Some(e);
                }
                true
            }
        })
        .await;
        return 0;
    }
    // Printed window by window as they arrive, so the memory held stays that of a few windows
    // however long the history (a closed pipe, as `| head`, ends the read).
    let mut written = true;
    let read = logs
        .fetch_windows(group, start, now, pattern, |lines| {
            written = print(&mut out, &lines, &options).is_ok();
            written
        })
        .await;
    if !written || out.flush().is_err() {
        return 2;
    }
    match read {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("stackdeck: {e}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(message: &str) -> LogLine {
        LogLine {
            id: "1".into(),
            at_ms: 1_764_638_390_000,
            stream: "courier/courier/abc".into(),
            message: message.into(),
        }
    }

    #[test]
    fn compact_raw_and_json_forms() {
        let json = line(
            r#"{"timestamp":"2026-12-02T01:19:45Z","level":"ERROR","message":"send failed","status":503,"target":"courier::api"}"#,
        );
        let hidden = vec!["target".to_owned()];
        assert_eq!(
            render(&json, LogsFormat::Compact, &hidden),
            "01:19:45 courier/courier/abc ERROR send failed status=503"
        );
        assert!(render(&json, LogsFormat::Raw, &hidden).ends_with(r#""target":"courier::api"}"#));
        let value: serde_json::Value =
            serde_json::from_str(&render(&json, LogsFormat::Json, &hidden)).unwrap();
        assert_eq!(value["level"], "error");
        assert_eq!(value["message"], "send failed");
        assert_eq!(value["fields"]["status"], "503");
        assert_eq!(value["time"], "2026-12-02T01:19:45Z");
        let plain = line("plain words");
        assert_eq!(
            render(&plain, LogsFormat::Compact, &hidden),
            "01:19:50 courier/courier/abc plain words"
        );
        let value: serde_json::Value =
            serde_json::from_str(&render(&plain, LogsFormat::Json, &hidden)).unwrap();
        assert_eq!(value["level"], serde_json::Value::Null);
        assert_eq!(value["structured"], false);
    }
}
