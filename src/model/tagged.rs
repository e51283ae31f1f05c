//! What the Resource Groups Tagging API's ARNs name, for `--tag KEY=VALUE` discovery.

use super::discovery::Arn;

/// A tagged resource, by kind; `Other` for kinds stackdeck does not show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tagged {
    Cluster(String),
    /// `cluster` is None for an old-format service ARN (`service/<name>`).
    Service {
        cluster: Option<String>,
        name: String,
    },
    Queue(String),
    Alarm(String),
    LogGroup(String),
    TargetGroup(String),
    LoadBalancer(String),
    Db(String),
    Table(String),
    Topic(String),
    Other,
}

/// The kind of resource `arn` names.
pub fn classify(arn: &str) -> Tagged {
    let Some(parts) = Arn::parse(arn) else {
        return Tagged::Other;
    };
    let resource = parts.resource;
    let rest = |prefix: &str| resource.strip_prefix(prefix).map(str::to_owned);
    match parts.service {
        "ecs" => {
            if let Some(name) = rest("cluster/") {
                Tagged::Cluster(name)
            } else if let Some(path) = resource.strip_prefix("service/") {
                match path.split_once('/') {
                    Some((cluster, name)) => Tagged::Service {
                        cluster: Some(cluster.to_owned()),
                        name: name.to_owned(),
                    },
                    None => Tagged::Service {
                        cluster: None,
                        name: path.to_owned(),
                    },
                }
            } else {
                Tagged::Other
            }
        }
        "sqs" => Tagged::Queue(resource.to_owned()),
        "sns" => Tagged::Topic(arn.to_owned()),
        "cloudwatch" => rest("alarm:").map_or(Tagged::Other, Tagged::Alarm),
        "logs" => rest("log-group:").map_or(Tagged::Other, |g| {
            Tagged::LogGroup(g.trim_end_matches(":*").to_owned())
        }),
        "elasticloadbalancing" if resource.starts_with("targetgroup/") => {
            Tagged::TargetGroup(arn.to_owned())
        }
        "elasticloadbalancing" if resource.starts_with("loadbalancer/app/") => {
            Tagged::LoadBalancer(arn.to_owned())
        }
        "rds" => rest("db:").map_or(Tagged::Other, Tagged::Db),
        "dynamodb" => rest("table/")
            .filter(|t| !t.contains('/'))
            .map_or(Tagged::Other, Tagged::Table),
        _ => Tagged::Other,
    }
}

/// `KEY=VALUE` from `--tag`, or the one-line error naming the flag's form.
pub fn parse_tag(tag: &str) -> Result<(String, String), String> {
    match tag.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(format!(
            "--tag {tag:?}: expected KEY=VALUE, e.g. --tag aws:cloudformation:stack-name=orders"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_of_every_kind_are_told_apart() {
        let a = "arn:aws:ecs:eu-west-1:123456789012";
        assert_eq!(
            classify(&format!("{a}:cluster/c")),
            Tagged::Cluster("c".into())
        );
        assert_eq!(
            classify(&format!("{a}:service/c/api")),
            Tagged::Service {
                cluster: Some("c".into()),
                name: "api".into()
            }
        );
        assert_eq!(
            classify(&format!("{a}:service/old")),
            Tagged::Service {
                cluster: None,
                name: "old".into()
            }
        );
        assert_eq!(
            classify("arn:aws:sqs:eu-west-1:123456789012:work"),
            Tagged::Queue("work".into())
        );
        assert_eq!(
            classify("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:depth high"),
            Tagged::Alarm("depth high".into())
        );
        assert_eq!(
            classify("arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/x:*"),
            Tagged::LogGroup("/ecs/x".into())
        );
        let tg = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/abc";
        assert_eq!(classify(tg), Tagged::TargetGroup(tg.into()));
        let lb = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/l/abc";
        assert_eq!(classify(lb), Tagged::LoadBalancer(lb.into()));
        assert_eq!(
            classify("arn:aws:rds:eu-west-1:123456789012:db:orders-db"),
            Tagged::Db("orders-db".into())
        );
        assert_eq!(
            classify("arn:aws:dynamodb:eu-west-1:123456789012:table/idem"),
            Tagged::Table("idem".into())
        );
        assert_eq!(
            classify("arn:aws:dynamodb:eu-west-1:123456789012:table/idem/stream/x"),
            Tagged::Other
        );
        assert_eq!(classify("not an arn"), Tagged::Other);
    }

    #[test]
    fn a_tag_flag_is_key_equals_value() {
        assert_eq!(
            parse_tag("aws:cloudformation:stack-name=orders"),
            Ok(("aws:cloudformation:stack-name".into(), "orders".into()))
        );
        assert!(parse_tag("novalue").unwrap_err().contains("KEY=VALUE"));
    }
}
