//! The AWS adapters of `src/aws` against a real moto server started by the tests: a stack the
//! test creates through the SDK, read back by every adapter; listings longer than one page; the
//! polling log tail receiving events put after it started, each once; and one dashboard refresh.
//!
//! Every test builds its own resources under a unique name, so the tests share one moto. The
//! stack tests talk to it through devstack's agent (see [`endpoint`]), as the dashboard does
//! locally; the log tests talk to moto itself.

mod cloudwatch;
mod ecs;
mod logs;
mod readback;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use aws_sdk_ecs::types::LaunchType;
use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, TargetDescription};
use devstack::testenv::TestEnv;
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::stack::{Alarm, Revision, StackBuilder};
use stackdeck::model::dashboard::MetricQuery;
use std::time::{SystemTime, UNIX_EPOCH};

const PROFILE: &str = "test";

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Devstack's local AWS endpoint (its agent) in front of `env`'s moto, serving no stack of its
/// own: it forwards every call to moto and only amends what moto gets wrong. The ECS reads need
/// it: moto writes a task's `cpu`/`memory` as numbers where ECS's model (and so the SDK) has
/// strings, and the SDK refuses the whole DescribeTasks answer; and moto's tasks drift toward
/// STOPPED on each describe unless told otherwise (the agent does).
async fn endpoint(env: &TestEnv) -> Agent {
    Agent::start(env, Options::idle()).await
}

/// What [`build_stack`] created, to compare with what the adapters read back.
struct Built {
    name: String,
    cluster: String,
    service: String,
    task_definition_arn: String,
    /// Task ids: running ones, and the one stopped (with [`STOP_REASON`]).
    running_tasks: Vec<String>,
    stopped_task: String,
    db: String,
    queue_url: String,
    dlq_url: String,
    log_group: String,
    alarm_prefix: String,
    /// (name, state, metric, threshold)
    alarms: Vec<(String, &'static str, &'static str, f64)>,
    target_group_arn: String,
    /// (ip, port)
    targets: Vec<(String, i32)>,
    /// Log messages put, oldest first.
    messages: Vec<String>,
    sdk: aws_config::SdkConfig,
    _agent: Agent,
}

const STOP_REASON: &str = "stopped by the adapters test";

fn task_id(arn: &str) -> String {
    arn.rsplit('/').next().unwrap().to_owned()
}

/// An alarm of these tests: AWS/Test `metric` above `threshold` for one period.
fn alarm(metric: &str, threshold: f64) -> Alarm {
    Alarm::new("")
        .metric("AWS/Test", metric, threshold)
        .evaluation_periods(1)
}

/// A whole stack, created through the SDK, with its discovery parameters.
async fn build_stack(env: &TestEnv, prefix: &str) -> Built {
    let agent = endpoint(env).await;
    let sdk = agent.sdk().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let rds = aws_sdk_rds::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&sdk);

    // ECS: a cluster of its own (moto's ListTasks ignores the service filter), a task
    // definition, a service wanting 2 tasks; the queues, the log group; alarms: one in ALARM,
    // one OK.
    let builder = StackBuilder::new(prefix);
    let name = builder.name().to_owned();
    let alarm_prefix = format!("{name}-");
    let alarms = vec![
        (
            format!("{alarm_prefix}queue-depth"),
            "OK",
            "ApproximateNumberOfMessagesVisible",
            100.0,
        ),
        (
            format!("{alarm_prefix}db-cpu"),
            "ALARM",
            "CPUUtilization",
            80.0,
        ),
    ];
    let builder = alarms.iter().fold(
        builder,
        |builder, (alarm_name, state, metric, threshold)| {
            let suffix = alarm_name.strip_prefix(&alarm_prefix).unwrap();
            let reason = format!("{alarm_name} is {state}");
            builder.alarm(Alarm {
                suffix: suffix.to_owned(),
                ..alarm(metric, *threshold).state((*state).into(), reason)
            })
        },
    );
    let stack = builder
        .revision(Revision::image("courier:1"))
        .service(2)
        .fargate()
        .queues()
        .log_group()
        .build(&sdk)
        .await
        .unwrap();
    let (cluster, service) = (stack.cluster.clone(), stack.service.clone());
    let task_definition_arn = stack.revisions[0].clone();
    let (queue_url, dlq_url) = (stack.queue_url.clone(), stack.dlq_url.clone());
    let log_group = stack.log_group.clone();
    // And one alarm whose name only looks alike.
    alarm("Errors", 1.0)
        .put(&cw, &format!("{name}x-other"))
        .await
        .unwrap();

    // 3 tasks of which one is stopped.
    let mut task_ids: Vec<String> = ecs
        .run_task()
        .cluster(&cluster)
        .task_definition(&task_definition_arn)
        .count(3)
        .started_by(&service)
        .launch_type(LaunchType::Fargate)
        .send()
        .await
        .unwrap()
        .tasks()
        .iter()
        .map(|t| task_id(t.task_arn().unwrap()))
        .collect();
    assert_eq!(task_ids.len(), 3);
    let stopped_task = task_ids.pop().unwrap();
    ecs.stop_task()
        .cluster(&cluster)
        .task(&stopped_task)
        .reason(STOP_REASON)
        .send()
        .await
        .unwrap();

    // RDS.
    let db = format!("{name}-db");
    rds.create_db_instance()
        .db_instance_identifier(&db)
        .db_instance_class("db.t4g.micro")
        .engine("postgres")
        .engine_version("16.3")
        .allocated_storage(25)
        .multi_az(true)
        .master_username("courier")
        .master_user_password("not-a-secret-1")
        .send()
        .await
        .unwrap();

    // SQS: 3 messages sent to the work queue, one of them received (in flight), one delayed;
    // 2 in the DLQ.
    for i in 0..3 {
        sqs.send_message()
            .queue_url(&queue_url)
            .message_body(format!("work {i}"))
            .send()
            .await
            .unwrap();
    }
    sqs.send_message()
        .queue_url(&queue_url)
        .message_body("later")
        .delay_seconds(900)
        .send()
        .await
        .unwrap();
    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(1)
        .visibility_timeout(900)
        .send()
        .await
        .unwrap();
    assert_eq!(received.messages().len(), 1);
    for i in 0..2 {
        sqs.send_message()
            .queue_url(&dlq_url)
            .message_body(format!("poison {i}"))
            .send()
            .await
            .unwrap();
    }

    // CloudWatch Logs: one group, two streams, three events.
    let t0 = now_ms() - 60_000;
    let mut messages = Vec::new();
    for (stream, offsets) in [("courier/a", [0i64, 2_000]), ("courier/b", [1_000, 3_000])] {
        logs.create_log_stream()
            .log_group_name(&log_group)
            .log_stream_name(stream)
            .send()
            .await
            .unwrap();
        let events: Vec<InputLogEvent> = offsets
            .iter()
            .map(|offset| {
                InputLogEvent::builder()
                    .timestamp(t0 + offset)
                    .message(format!("{{\"level\":\"info\",\"step\":\"s{offset}\"}}\n"))
                    .build()
                    .unwrap()
            })
            .collect();
        logs.put_log_events()
            .log_group_name(&log_group)
            .log_stream_name(stream)
            .set_log_events(Some(events))
            .send()
            .await
            .unwrap();
    }
    for offset in [0, 1_000, 2_000, 3_000] {
        messages.push(format!("{{\"level\":\"info\",\"step\":\"s{offset}\"}}"));
    }

    // ELB: a target group (in a VPC of its own) with two ip targets.
    let vpc = env.create_vpc().await.unwrap();
    let target_group_arn = elb
        .create_target_group()
        .name(format!("{name}-tg"))
        .protocol(ProtocolEnum::Http)
        .port(8080)
        .vpc_id(vpc)
        .target_type(aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum::Ip)
        .send()
        .await
        .unwrap()
        .target_groups()
        .first()
        .unwrap()
        .target_group_arn()
        .unwrap()
        .to_owned();
    let targets = vec![
        ("10.20.1.10".to_owned(), 8080),
        ("10.20.2.11".to_owned(), 8081),
    ];
    elb.register_targets()
        .target_group_arn(&target_group_arn)
        .set_targets(Some(
            targets
                .iter()
                .map(|(ip, port)| TargetDescription::builder().id(ip).port(*port).build())
                .collect(),
        ))
        .send()
        .await
        .unwrap();

    // Discovery: the rest.
    stack
        .publish([
            ("db_instance_id", db.as_str()),
            ("target_group_arn", target_group_arn.as_str()),
        ])
        .await;

    Built {
        name,
        cluster,
        service,
        task_definition_arn,
        running_tasks: task_ids,
        stopped_task,
        db,
        queue_url,
        dlq_url,
        log_group,
        alarm_prefix,
        alarms,
        target_group_arn,
        targets,
        messages,
        sdk,
        _agent: agent,
    }
}

fn query(id: &str, metric: &str, queue: &str, stat: &str) -> MetricQuery {
    MetricQuery {
        id: id.into(),
        namespace: "AWS/SQS".into(),
        metric: metric.into(),
        dimensions: vec![("QueueName".into(), queue.into())],
        stat: stat.into(),
    }
}

/// Put one AWS/SQS ApproximateNumberOfMessagesVisible datapoint of `queue`: `value` at `at_secs`.
async fn put_queue_depth(cw: &aws_sdk_cloudwatch::Client, queue: &str, at_secs: i64, value: f64) {
    cw.put_metric_data()
        .namespace("AWS/SQS")
        .metric_data(
            MetricDatum::builder()
                .metric_name("ApproximateNumberOfMessagesVisible")
                .dimensions(Dimension::builder().name("QueueName").value(queue).build())
                .timestamp(DateTime::from_secs(at_secs))
                .value(value)
                .build(),
        )
        .send()
        .await
        .unwrap();
}
