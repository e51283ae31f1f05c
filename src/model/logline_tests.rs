use super::*;

const COURIER: &str = r#"{"timestamp":"2026-12-02T01:19:45.179604Z","level":"INFO","message":"delivered","message_id":"m-1","attempt":2,"target":"courier::worker"}"#;

#[test]
fn a_json_line_gives_its_time_level_message_and_fields() {
    let p = Parsed::parse(COURIER);
    assert_eq!(p.shape, Shape::Json);
    assert_eq!(p.level, Level::Info);
    assert_eq!(p.message.as_deref(), Some("delivered"));
    assert_eq!(
        p.time_ms,
        Some(
            "2026-12-02T01:19:45.179Z"
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_millisecond()
        )
    );
    let hidden: Vec<String> = vec!["target".into()];
    assert_eq!(
        p.compact(&hidden).unwrap(),
        "delivered message_id=m-1 attempt=2"
    );
    assert_eq!(
        p.compact(&[]).unwrap(),
        "delivered message_id=m-1 attempt=2 target=courier::worker"
    );
}

#[test]
fn nested_objects_flatten_and_values_with_spaces_are_quoted() {
    let p = Parsed::parse(
        r#"{"severity":"warning","msg":"slow","http":{"status":503,"route":"/messages"},"err":"connection refused","tags":["a"],"none":null}"#,
    );
    assert_eq!(p.level, Level::Warn);
    assert_eq!(p.field("status"), Some("503"));
    assert_eq!(p.field("http.route"), Some("/messages"));
    assert_eq!(p.field("level"), Some("WARN"));
    assert_eq!(
        p.compact(&[]).unwrap(),
        r#"slow http.status=503 http.route=/messages err="connection refused" tags=["a"] none=null"#
    );
    // A hidden prefix hides the whole object.
    assert_eq!(
        p.compact(&["http".into()]).unwrap(),
        r#"slow err="connection refused" tags=["a"] none=null"#
    );
}

#[test]
fn logfmt_lines_parse_with_quotes_and_escapes() {
    let p = Parsed::parse(r#"time=1764638385 level=error msg="db \"down\"" retry=3"#);
    assert_eq!(p.shape, Shape::Logfmt);
    assert_eq!(p.level, Level::Error);
    assert_eq!(p.time_ms, Some(1_764_638_385_000));
    assert_eq!(p.message.as_deref(), Some(r#"db "down""#));
    assert_eq!(p.compact(&[]).unwrap(), r#"db "down" retry=3"#);
}

#[test]
fn anything_else_is_plain_text_with_a_level_word() {
    for (text, level) in [
        ("2026-12-02T01:00:00Z ERROR boom", Level::Error),
        ("Starting server on :8080", Level::Unknown),
        ("a=b", Level::Unknown),          // one pair is not logfmt
        ("a=b and more", Level::Unknown), // words between pairs
        ("{not json", Level::Unknown),
        ("[WARN] almost full", Level::Warn),
    ] {
        let p = Parsed::parse(text);
        assert_eq!(p.shape, Shape::Plain, "{text}");
        assert_eq!(p.level, level, "{text}");
        assert_eq!(p.compact(&[]), None);
    }
}

#[test]
fn times_in_milliseconds_and_unknown_levels() {
    let p = Parsed::parse(r#"{"ts":1764638385123,"level":"chatty","event":"x"}"#);
    assert_eq!(p.time_ms, Some(1_764_638_385_123));
    assert_eq!(p.level, Level::Unknown);
    assert_eq!(p.message.as_deref(), Some("x"));
    assert_eq!(
        Parsed::parse(r#"{"time":"yesterday","msg":"m"}"#).time_ms,
        None
    );
    assert_eq!(LogFormat::Compact.next().next().next(), LogFormat::Compact);
    assert!(Level::Error > Level::Warn && Level::Debug > Level::Unknown);
}
