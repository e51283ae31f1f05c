//! The AWS console's address of a resource (`o` on the dashboard) and the id or ARN `y` copies,
//! region- and partition-aware: `cn-*` regions are the `aws-cn` partition (console.amazonaws.cn),
//! `us-gov-*` the `aws-us-gov` one (console.amazonaws-us-gov.com), every other region `aws`.

/// A resource the dashboard can point at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource<'a> {
    Service {
        cluster: &'a str,
        service: &'a str,
    },
    Alarm(&'a str),
    Queue {
        url: &'a str,
    },
    /// A log group, shown from `start_ms` to `end_ms` (epoch milliseconds).
    LogGroup {
        group: &'a str,
        start_ms: i64,
        end_ms: i64,
    },
    Db(&'a str),
}

/// The partition of `region`: `aws`, `aws-cn` or `aws-us-gov`.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The console's origin for `region`.
fn origin(region: &str) -> String {
    match partition(region) {
        "aws-cn" => "https://console.amazonaws.cn".into(),
        "aws-us-gov" => "https://console.amazonaws-us-gov.com".into(),
        _ => format!("https://{region}.console.aws.amazon.com"),
    }
}

/// `text` with every byte but the unreserved ones (RFC 3986) percent-encoded.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The console's own escaping inside its `#logsV2:` fragment: percent-encoded, then `%` as `$25`.
fn logs_fragment(text: &str) -> String {
    encode(text).replace('%', "$25")
}

/// The console address of `resource` in `region`.
pub fn url(region: &str, resource: &Resource) -> String {
    let base = origin(region);
    match resource {
        Resource::Service { cluster, service } => format!(
            "{base}/ecs/v2/clusters/{}/services/{}/health?region={region}",
            encode(cluster),
            encode(service)
        ),
        Resource::Alarm(name) => {
            format!(
                "{base}/cloudwatch/home?region={region}#alarmsV2:alarm/{}",
                encode(name)
            )
        }
        Resource::Queue { url } => {
            format!("{base}/sqs/v3/home?region={region}#/queues/{}", encode(url))
        }
        Resource::LogGroup {
            group,
            start_ms,
            end_ms,
        } => format!(
            "{base}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{}/log-events$3Fstart$3D{start_ms}$26end$3D{end_ms}",
            logs_fragment(group)
        ),
        Resource::Db(id) => format!(
            "{base}/rds/home?region={region}#database:id={};is-cluster=false",
            encode(id)
        ),
    }
}

/// What `y` copies: the resource's ARN where the account is known (the queue: its URL, the id
/// its API takes), else its name.
pub fn id(region: &str, account: Option<&str>, resource: &Resource) -> String {
    let p = partition(region);
    match (resource, account) {
        (Resource::Queue { url }, _) => (*url).to_owned(),
        (Resource::Service { cluster, service }, Some(a)) => {
            format!("arn:{p}:ecs:{region}:{a}:service/{cluster}/{service}")
        }
        (Resource::Alarm(name), Some(a)) => format!("arn:{p}:cloudwatch:{region}:{a}:alarm:{name}"),
        (Resource::LogGroup { group, .. }, Some(a)) => {
            format!("arn:{p}:logs:{region}:{a}:log-group:{group}")
        }
        (Resource::Db(id), Some(a)) => format!("arn:{p}:rds:{region}:{a}:db:{id}"),
        (Resource::Service { cluster, service }, None) => format!("{cluster}/{service}"),
        (Resource::Alarm(name) | Resource::Db(name), None) => (*name).to_owned(),
        (Resource::LogGroup { group, .. }, None) => (*group).to_owned(),
    }
}

/// The OSC 52 sequence that puts `text` on the terminal's clipboard (through tmux with
/// `set-clipboard on`, and over SSH): `ESC ] 52 ; c ; base64 BEL`.
pub fn osc52(text: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_console_page() {
        let r = "eu-west-1";
        let o = "https://eu-west-1.console.aws.amazon.com";
        let service = Resource::Service {
            cluster: "prod",
            service: "api",
        };
        assert_eq!(
            url(r, &service),
            format!("{o}/ecs/v2/clusters/prod/services/api/health?region=eu-west-1")
        );
        assert_eq!(
            url(r, &Resource::Alarm("api queue depth")),
            format!("{o}/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/api%20queue%20depth")
        );
        let queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/work";
        assert_eq!(
            url(r, &Resource::Queue { url: queue }),
            format!("{o}/sqs/v3/home?region=eu-west-1#/queues/https%3A%2F%2Fsqs.eu-west-1.amazonaws.com%2F123456789012%2Fwork")
        );
        let logs = Resource::LogGroup {
            group: "/ecs/api",
            start_ms: 1000,
            end_ms: 2000,
        };
        assert_eq!(
            url(r, &logs),
            format!("{o}/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fapi/log-events$3Fstart$3D1000$26end$3D2000")
        );
        assert_eq!(
            url(r, &Resource::Db("prod-db")),
            format!("{o}/rds/home?region=eu-west-1#database:id=prod-db;is-cluster=false")
        );
    }

    #[test]
    fn partitions_have_their_own_console_and_arns() {
        let db = Resource::Db("d");
        assert!(url("cn-north-1", &db)
            .starts_with("https://console.amazonaws.cn/rds/home?region=cn-north-1"));
        assert!(url("us-gov-west-1", &db)
            .starts_with("https://console.amazonaws-us-gov.com/rds/home?region=us-gov-west-1"));
        assert_eq!(
            id("cn-north-1", Some("1"), &db),
            "arn:aws-cn:rds:cn-north-1:1:db:d"
        );
        assert_eq!(
            id("us-east-1", Some("1"), &Resource::Alarm("a")),
            "arn:aws:cloudwatch:us-east-1:1:alarm:a"
        );
        let service = Resource::Service {
            cluster: "c",
            service: "s",
        };
        assert_eq!(id("us-east-1", None, &service), "c/s");
        assert_eq!(
            id("us-east-1", Some("1"), &service),
            "arn:aws:ecs:us-east-1:1:service/c/s"
        );
        assert_eq!(
            id(
                "us-east-1",
                Some("1"),
                &Resource::Queue {
                    url: "https://q/1/w"
                }
            ),
            "https://q/1/w"
        );
    }

    #[test]
    fn osc52_is_base64_between_the_escapes() {
        assert_eq!(osc52("arn:x"), "\x1b]52;c;YXJuOng=\x07");
    }
}
