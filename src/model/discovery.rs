//! Discovery from the AWS API, the pure half: which of a task definition's values name a queue, a
//! topic, a table or a database host; where its logs go; which alarms belong to the stack; what
//! kind of resource a tagged ARN is. The calls are in `aws::discover`.
//!
//! Decisions (an on-call engineer's stack, not ours): a value anywhere in the environment or the
//! secrets that is an SQS queue URL or ARN is a candidate queue; a bare name only when its
//! variable's name says QUEUE or SQS (every candidate costs a call to confirm). An alarm belongs
//! to the stack when a dimension names its cluster, service, a queue, its DB instance, its target
//! group or its load balancer, in the alarm's metric or in any metric of its math; a composite
//! alarm when its rule names such an alarm.

use std::collections::BTreeMap;

/// One container of the task definition, as discovery reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Container {
    pub name: String,
    pub essential: bool,
    /// The log driver (`awslogs`, `awsfirelens`, …), if the container has a log configuration.
    pub log_driver: Option<String>,
    pub log_options: BTreeMap<String, String>,
    /// Environment values and secrets' `valueFrom`, by variable name, in definition order.
    pub env: Vec<(String, String)>,
}

/// Where the service's logs are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Logs {
    CloudWatch {
        group: String,
        stream_prefix: Option<String>,
    },
    /// Not in CloudWatch Logs: the container and its driver, for the note.
    Elsewhere { container: String, driver: String },
    /// No container has a log configuration.
    Unconfigured,
}

/// The logs of the service's main container: the one the load balancer routes to (`main`), else
/// the first essential one; any other container with `awslogs` when the main one has none.
pub fn logs_of(containers: &[Container], main: Option<&str>) -> Logs {
    let chosen = main
        .and_then(|m| containers.iter().find(|c| c.name == m))
        .or_else(|| containers.iter().find(|c| c.essential))
        .or(containers.first());
    let awslogs = |c: &Container| {
        (c.log_driver.as_deref() == Some("awslogs"))
            .then(|| c.log_options.get("awslogs-group"))
            .flatten()
            .map(|group| Logs::CloudWatch {
                group: group.clone(),
                stream_prefix: c.log_options.get("awslogs-stream-prefix").cloned(),
            })
    };
    if let Some(found) = chosen.and_then(awslogs) {
        return found;
    }
    if let Some(found) = containers.iter().find_map(awslogs) {
        return found;
    }
    match chosen.and_then(|c| Some((c, c.log_driver.clone()?))) {
        Some((c, driver)) => Logs::Elsewhere {
            container: c.name.clone(),
            driver,
        },
        None => Logs::Unconfigured,
    }
}

/// A queue a task definition names: by URL (confirmed with GetQueueAttributes) or by name
/// (looked up with GetQueueUrl).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueueRef {
    Url(String),
    Name(String),
}

/// The candidate queues of `env`, in order, without repeats.
pub fn queue_refs(env: &[(String, String)]) -> Vec<QueueRef> {
    let mut found = Vec::new();
    for (name, value) in env {
        let value = value.trim();
        let candidate = if is_queue_url(value) {
            Some(QueueRef::Url(value.to_owned()))
        } else if let Some(arn) = Arn::parse(value).filter(|a| a.service == "sqs") {
            Some(QueueRef::Name(arn.resource.to_owned()))
        } else {
            let upper = name.to_ascii_uppercase();
            ((upper.contains("QUEUE") || upper.contains("SQS")) && is_queue_name(value))
                .then(|| QueueRef::Name(value.to_owned()))
        };
        if let Some(candidate) = candidate.filter(|c| !found.contains(c)) {
            found.push(candidate);
        }
    }
    found
}

/// `https://sqs.<region>.amazonaws.com/<account>/<name>` or any endpoint's `/<account>/<name>`.
fn is_queue_url(value: &str) -> bool {
    let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return false;
    };
    let mut parts = rest.split('/');
    let (_host, account, name) = (parts.next(), parts.next(), parts.next());
    parts.next().is_none()
        && account.is_some_and(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        && name.is_some_and(is_queue_name)
}

fn is_queue_name(value: &str) -> bool {
    let base = value.strip_suffix(".fifo").unwrap_or(value);
    !base.is_empty()
        && value.len() <= 80
        && base
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The name of the queue whose ARN is `arn` (a RedrivePolicy's `deadLetterTargetArn`).
pub fn queue_name_of_arn(arn: &str) -> Option<&str> {
    Arn::parse(arn)
        .filter(|a| a.service == "sqs")
        .map(|a| a.resource)
}

/// The first SNS topic ARN among `env`'s values.
pub fn topic_of(env: &[(String, String)]) -> Option<String> {
    env.iter()
        .map(|(_, v)| v.trim())
        .find(|v| Arn::parse(v).is_some_and(|a| a.service == "sns"))
        .map(str::to_owned)
}

/// The DynamoDB table: a table ARN among the values, else the value of a variable whose name
/// says TABLE or DYNAMO.
pub fn table_of(env: &[(String, String)]) -> Option<String> {
    let by_arn = env.iter().find_map(|(_, v)| {
        let arn = Arn::parse(v.trim()).filter(|a| a.service == "dynamodb")?;
        arn.resource.strip_prefix("table/").map(str::to_owned)
    });
    by_arn.or_else(|| {
        env.iter()
            .find(|(name, value)| {
                let upper = name.to_ascii_uppercase();
                (upper.contains("TABLE") || upper.contains("DYNAMO")) && is_queue_name(value)
            })
            .map(|(_, value)| value.clone())
    })
}

/// Host names in `env`'s values: the host of a URL (`postgres://u:p@host:5432/db`), a bare
/// `host:port` or a host name with a dot; compared with the DB instances' endpoints.
pub fn hosts_in(env: &[(String, String)]) -> Vec<String> {
    let mut hosts = Vec::new();
    for (_, value) in env {
        let value = value.trim();
        let rest = value.split_once("://").map_or(value, |(_, rest)| rest);
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = host_port.split(':').next().unwrap_or_default();
        let hostish = host.contains('.')
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if hostish && !host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            hosts.push(host.to_ascii_lowercase());
        }
    }
    hosts.sort();
    hosts.dedup();
    hosts
}

/// An ARN's parts: `arn:<partition>:<service>:<region>:<account>:<resource>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(arn: &'a str) -> Option<Arn<'a>> {
        let mut parts = arn.splitn(6, ':');
        (parts.next()? == "arn").then_some(())?;
        let _partition = parts.next()?;
        let (service, region, account, resource) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        (!service.is_empty() && !resource.is_empty()).then_some(Arn {
            service,
            region,
            account,
            resource,
        })
    }
}

/// The `targetgroup/<name>/<id>` or `app/<name>/<id>` part of a target group's or load balancer's
/// ARN: what CloudWatch's `TargetGroup` and `LoadBalancer` dimensions hold.
pub fn elb_dimension(arn: &str) -> Option<&str> {
    let resource = Arn::parse(arn)?.resource;
    resource
        .strip_prefix("loadbalancer/")
        .or_else(|| resource.starts_with("targetgroup/").then_some(resource))
}

/// One alarm as discovery matches it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlarmFacts {
    pub name: String,
    /// Every dimension of its metric and of every metric in its math.
    pub dimensions: Vec<(String, String)>,
    /// A composite alarm's rule.
    pub rule: Option<String>,
}

/// What the stack's alarms are matched against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wanted {
    pub cluster: String,
    pub service: String,
    /// Queue names, work queues and DLQs.
    pub queues: Vec<String>,
    pub db_instance: Option<String>,
    /// `targetgroup/<name>/<id>`.
    pub target_group: Option<String>,
    /// `app/<name>/<id>`.
    pub load_balancer: Option<String>,
}

impl Wanted {
    fn matches(&self, alarm: &AlarmFacts) -> bool {
        let dim = |name: &'static str| {
            alarm
                .dimensions
                .iter()
                .filter(move |(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let service = dim("ServiceName").any(|s| s == self.service);
        let cluster_ok = dim("ClusterName").all(|c| c == self.cluster);
        let cluster_only = dim("ServiceName").next().is_none()
            && dim("ClusterName").next().is_some()
            && cluster_ok;
        (service && cluster_ok)
            || cluster_only
            || dim("QueueName").any(|q| self.queues.iter().any(|w| w == q))
            || dim("DBInstanceIdentifier").any(|d| self.db_instance.as_deref() == Some(d))
            || dim("TargetGroup").any(|t| self.target_group.as_deref() == Some(t))
            || dim("LoadBalancer").any(|l| self.load_balancer.as_deref() == Some(l))
    }
}

/// The names of the stack's alarms: those `wanted` matches, the composite alarms whose rule names
/// one of them, and the service's deployment alarms; sorted, unique.
pub fn stack_alarms(alarms: &[AlarmFacts], wanted: &Wanted, deployment: &[String]) -> Vec<String> {
    let mut names: Vec<String> = alarms
        .iter()
        .filter(|a| a.rule.is_none() && wanted.matches(a))
        .map(|a| a.name.clone())
        .collect();
    let composite: Vec<String> = alarms
        .iter()
        .filter_map(|a| Some((a, a.rule.as_deref()?)))
        .filter(|(_, rule)| names.iter().any(|n| names_alarm(rule, n)))
        .map(|(a, _)| a.name.clone())
        .collect();
    names.extend(composite);
    names.extend(deployment.iter().cloned());
    names.sort();
    names.dedup();
    names
}

/// Whether a composite rule names alarm `name`: `ALARM("name")` or `ALARM(name)`.
fn names_alarm(rule: &str, name: &str) -> bool {
    rule.contains(&format!("(\"{name}\")")) || rule.contains(&format!("({name})"))
}

/// The DB instance of the stack when its environment names none: the one instance named by the
/// alarms whose names contain the service's or the cluster's name.
pub fn db_from_alarms(alarms: &[AlarmFacts], wanted: &Wanted) -> Option<String> {
    let stem = wanted
        .cluster
        .trim_end_matches("-cluster")
        .trim_end_matches("-ecs");
    let mut ids: Vec<&str> = alarms
        .iter()
        .filter(|a| a.name.contains(&wanted.service) || (!stem.is_empty() && a.name.contains(stem)))
        .flat_map(|a| a.dimensions.iter())
        .filter(|(n, _)| n == "DBInstanceIdentifier")
        .map(|(_, v)| v.as_str())
        .collect();
    ids.sort();
    ids.dedup();
    match ids.as_slice() {
        [one] => Some((*one).to_owned()),
        _ => None,
    }
}

#[cfg(test)]
#[path = "discovery_tests.rs"]
mod tests;
