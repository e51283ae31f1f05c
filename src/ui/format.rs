//! Text formatting shared by the panels and `stackdeck logs`: ages, clock times, sizes.

pub use crate::model::time::age;

/// "4 min ago" from unix seconds, relative to `now`; "-" when unknown.
pub fn ago(at: Option<i64>, now: i64) -> String {
    at.map_or_else(|| "-".into(), |at| format!("{} ago", age(now - at)))
}

/// "HH:MM:SS" (UTC) of unix milliseconds.
pub fn clock(at_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(at_ms)
        .map(|t| t.strftime("%H:%M:%S").to_string())
        .unwrap_or_else(|_| "--:--:--".into())
}

/// Bytes as GiB with one decimal.
pub fn gib(bytes: f64) -> String {
    format!("{:.1} GiB", bytes / 1024.0 / 1024.0 / 1024.0)
}

/// The last part of an ARN or path: a task definition `family:7`, a task id.
pub fn short(text: &str) -> &str {
    text.rsplit('/').next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_clocks_read_naturally() {
        assert_eq!(age(3), "3 s");
        assert_eq!(age(125), "2 min");
        assert_eq!(age(7300), "2 h");
        assert_eq!(ago(Some(90), 100), "10 s ago");
        assert_eq!(ago(None, 100), "-");
        assert_eq!(clock(3_723_000), "01:02:03");
        assert_eq!(
            short("arn:aws:ecs:r:1:task-definition/courier:7"),
            "courier:7"
        );
    }
}
