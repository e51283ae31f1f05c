//! SQS domain types: a queue's facts for the purge dialog, a redrive's progress, queue names.

use serde::Serialize;

/// What the purge dialog shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueueFacts {
    pub url: String,
    pub name: String,
    pub arn: String,
    pub visible: i64,
    pub in_flight: i64,
    pub delayed: i64,
}

/// Progress of a DLQ redrive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MoveTask {
    pub handle: Option<String>,
    pub status: String,
    pub moved: i64,
    pub to_move: Option<i64>,
    pub failure: Option<String>,
}

/// The queue name at the end of a queue URL.
pub fn queue_name(url: &str) -> &str {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_name_is_the_last_url_segment() {
        assert_eq!(
            queue_name("https://sqs.us-east-1.amazonaws.com/123456789012/courier-local-work"),
            "courier-local-work"
        );
        assert_eq!(
            queue_name("http://127.0.0.1:4566/000000000000/q-dlq/"),
            "q-dlq"
        );
    }
}
