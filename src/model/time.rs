//! Durations in words, as the dashboard and the commands say them, and as the command line
//! takes them.

use std::time::Duration;

/// A duration in seconds as people say it: "3 s", "4 min", "2 h", "3 d".
pub fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=86_399 => format!("{} h", s / 3600),
        _ => format!("{} d", s / 86_400),
    }
}

/// A timeout as the commands report it: whole minutes as "10 min", anything else in seconds
/// ("90 s"), so that it reads as the flag was written.
pub fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

/// A duration flag (`--timeout`, `--since`): jiff's friendly format in hours, minutes and
/// seconds ("90s", "10m", "1h", "1h30m", "2 hours"), or a bare number of seconds ("45").
/// Days and longer are refused: they are calendar units, not a fixed number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    static PARSER: jiff::fmt::friendly::SpanParser = jiff::fmt::friendly::SpanParser::new();
    let text = text.trim();
    let parsed = match text.parse::<u64>() {
        Ok(secs) => Ok(Duration::from_secs(secs)),
        Err(_) => PARSER.parse_unsigned_duration(text),
    };
    parsed.map_err(|_| {
        format!("expected a duration in hours, minutes or seconds, like 90s, 10m, 1h or 1h30m, not {text:?}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_in_seconds_minutes_and_hours() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("10d").is_err());
    }

    #[test]
    fn timeouts_read_as_they_were_written() {
        assert_eq!(duration(Duration::from_secs(3)), "3 s");
        assert_eq!(duration(Duration::from_secs(90)), "90 s");
        assert_eq!(duration(Duration::from_secs(600)), "10 min");
    }
}
