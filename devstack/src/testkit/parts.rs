//! The pieces a [`super::stack::Stack`] is made of, for tests that make one piece alone: a
//! task definition revision, an alarm, a queue, discovery parameters; and reading them back.

use anyhow::{Context, Result};
use aws_sdk_cloudwatch::types::{ComparisonOperator, StateValue, Statistic};
use aws_sdk_ecs::types::{ContainerDefinition, KeyValuePair, LogConfiguration, LogDriver};
use aws_sdk_sqs::types::QueueAttributeName;

/// One revision of the task definition: its one container, `courier`.
#[derive(Clone, Debug)]
pub struct Revision {
    pub image: String,
    pub command: Option<Vec<String>>,
    pub env: Vec<(String, String)>,
    /// The container's memory (MiB).
    pub memory: i32,
    /// awslogs: this group, stream prefix `courier`.
    pub log_group: Option<String>,
}

impl Revision {
    pub fn image(image: impl Into<String>) -> Revision {
        Revision {
            image: image.into(),
            command: None,
            env: Vec::new(),
            memory: 256,
            log_group: None,
        }
    }

    /// python3 running `script` ([`super::TASK`], say): the agent runs it as a task.
    pub fn python(script: &str) -> Revision {
        Revision::image(super::python()).command(&["-c", script])
    }

    pub fn command(mut self, args: &[&str]) -> Revision {
        self.command = Some(args.iter().map(|a| a.to_string()).collect());
        self
    }

    pub fn env(mut self, name: &str, value: impl Into<String>) -> Revision {
        self.env.push((name.to_owned(), value.into()));
        self
    }

    pub fn memory(mut self, mib: i32) -> Revision {
        self.memory = mib;
        self
    }

    pub fn logs_to(mut self, group: &str) -> Revision {
        self.log_group = Some(group.to_owned());
        self
    }
}

/// Register `revision` as the next revision of `family` (task size 256 CPU units, 512 MiB); its ARN.
pub async fn register(
    ecs: &aws_sdk_ecs::Client,
    family: &str,
    revision: &Revision,
) -> Result<String> {
    let mut container = ContainerDefinition::builder()
        .name("courier")
        .image(&revision.image)
        .memory(revision.memory)
        .set_command(revision.command.clone());
    for (name, value) in &revision.env {
        container = container.environment(KeyValuePair::builder().name(name).value(value).build());
    }
    if let Some(group) = &revision.log_group {
        container = container.log_configuration(
            LogConfiguration::builder()
                .log_driver(LogDriver::Awslogs)
                .options("awslogs-group", group)
                .options("awslogs-stream-prefix", "courier")
                .build()?,
        );
    }
    let out = ecs
        .register_task_definition()
        .family(family)
        .container_definitions(container.build())
        .cpu("256")
        .memory("512")
        .send()
        .await
        .with_context(|| format!("RegisterTaskDefinition {family}"))?;
    out.task_definition()
        .and_then(|t| t.task_definition_arn())
        .map(str::to_owned)
        .context("RegisterTaskDefinition answered without an ARN")
}

/// A metric alarm named `<stack>-<suffix>`; by default on the work queue's depth (AWS/SQS
/// ApproximateNumberOfMessagesVisible, Maximum over 60 s, 10 periods, above 100), left in
/// moto's initial state.
#[derive(Clone, Debug)]
pub struct Alarm {
    pub suffix: String,
    pub namespace: String,
    pub metric: String,
    pub threshold: f64,
    pub evaluation_periods: i32,
    /// Set with SetAlarmState: state and reason.
    pub state: Option<(StateValue, String)>,
}

impl Alarm {
    pub fn new(suffix: &str) -> Alarm {
        Alarm {
            suffix: suffix.to_owned(),
            namespace: "AWS/SQS".into(),
            metric: "ApproximateNumberOfMessagesVisible".into(),
            threshold: 100.0,
            evaluation_periods: 10,
            state: None,
        }
    }

    pub fn metric(mut self, namespace: &str, metric: &str, threshold: f64) -> Alarm {
        self.namespace = namespace.to_owned();
        self.metric = metric.to_owned();
        self.threshold = threshold;
        self
    }

    pub fn evaluation_periods(mut self, periods: i32) -> Alarm {
        self.evaluation_periods = periods;
        self
    }

    pub fn state(mut self, state: StateValue, reason: impl Into<String>) -> Alarm {
        self.state = Some((state, reason.into()));
        self
    }

    pub fn ok(self, reason: &str) -> Alarm {
        self.state(StateValue::Ok, reason)
    }

    pub fn in_alarm(self, reason: &str) -> Alarm {
        self.state(StateValue::Alarm, reason)
    }

    /// Put this alarm under the full name `name` (and set its state, if one is given).
    pub async fn put(&self, cw: &aws_sdk_cloudwatch::Client, name: &str) -> Result<()> {
        cw.put_metric_alarm()
            .alarm_name(name)
            .namespace(&self.namespace)
            .metric_name(&self.metric)
            .statistic(Statistic::Maximum)
            .period(60)
            .evaluation_periods(self.evaluation_periods)
            .threshold(self.threshold)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await
            .with_context(|| format!("PutMetricAlarm {name}"))?;
        if let Some((state, reason)) = &self.state {
            cw.set_alarm_state()
                .alarm_name(name)
                .state_value(state.clone())
                .state_reason(reason)
                .send()
                .await
                .with_context(|| format!("SetAlarmState {name}"))?;
        }
        Ok(())
    }
}

/// Publish `/stackdeck/{stack}/{key}` = value for each parameter (overwriting).
pub async fn publish<K: AsRef<str>, V: AsRef<str>>(
    ssm: &aws_sdk_ssm::Client,
    stack: &str,
    params: impl IntoIterator<Item = (K, V)>,
) {
    for (key, value) in params {
        let key = key.as_ref();
        ssm.put_parameter()
            .name(format!("/stackdeck/{stack}/{key}"))
            .value(value.as_ref())
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .overwrite(true)
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutParameter /stackdeck/{stack}/{key}: {e:?}"));
    }
}

/// Create queue `name` with `attributes`; its URL and ARN.
pub async fn create_queue(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    attributes: &[(QueueAttributeName, String)],
) -> Result<(String, String)> {
    let mut create = sqs.create_queue().queue_name(name);
    for (k, v) in attributes {
        create = create.attributes(k.clone(), v);
    }
    let url = create
        .send()
        .await
        .with_context(|| format!("CreateQueue {name}"))?
        .queue_url()
        .context("CreateQueue answered without a URL")?
        .to_owned();
    let arn = queue_attribute(sqs, &url, QueueAttributeName::QueueArn).await;
    Ok((url, arn))
}

/// One attribute of queue `url`.
pub async fn queue_attribute(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    name: QueueAttributeName,
) -> String {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(name.clone())
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetQueueAttributes {url}: {e:?}"))
        .attributes()
        .and_then(|a| a.get(&name))
        .unwrap_or_else(|| panic!("{url} has no {name:?}"))
        .clone()
}

/// Visible messages of queue `url` (ApproximateNumberOfMessages).
pub async fn depth(sqs: &aws_sdk_sqs::Client, url: &str) -> i64 {
    queue_attribute(sqs, url, QueueAttributeName::ApproximateNumberOfMessages)
        .await
        .parse()
        .expect("a number of messages")
}

/// The service `name` of `cluster`, as ECS (or the agent) describes it.
pub async fn describe_service(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    name: &str,
) -> aws_sdk_ecs::types::Service {
    ecs.describe_services()
        .cluster(cluster)
        .services(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeServices {cluster}/{name}: {e:?}"))
        .services()
        .first()
        .unwrap_or_else(|| panic!("no service {cluster}/{name}"))
        .clone()
}
