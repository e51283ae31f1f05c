//! The AWS adapters of `src/aws` against a real moto server started by the tests: a stack the
//! test creates through the SDK, read back by every adapter; listings longer than one page; the
//! polling log tail receiving events put after it started, each once; and one dashboard refresh.
//!
//! Every test builds its own resources under a unique name, so the tests share one moto. The
//! stack tests talk to it through devstack's agent (see [`endpoint`]), as the dashboard does
//! locally; the log tests talk to moto itself.

mod common;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricDatum, StateValue, Statistic,
};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use aws_sdk_ecs::types::{ContainerDefinition, LaunchType};
use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, TargetDescription};
use devstack::testenv::{unique_name, TestEnv};
use stackdeck::aws::cloudwatch::CloudWatch;
use stackdeck::aws::ecs::Ecs;
use stackdeck::aws::elb::Elb;
use stackdeck::aws::logs::{History, Logs, Poller, Tail, TailEvent, TailMode};
use stackdeck::aws::rds::Rds;
use stackdeck::aws::sqs_actions::SqsActions;
use stackdeck::aws::ssm::Discovery;
use stackdeck::model::dashboard::{self, MetricQuery};
use stackdeck::model::stack::DISCOVERY_KEYS;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::RwLock;

const PROFILE: &str = "test";

/// The request counter of `stackdeck::aws::calls` is process-wide: the test that counts calls
/// takes this for writing, every other test for reading, so that under `cargo test` (threads)
/// no other test's calls fall into its count. (nextest runs each test in its own process.)
static CALLS: RwLock<()> = RwLock::const_new(());

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The SDK configuration for devstack's local AWS endpoint (its agent) in front of `env`'s moto,
/// serving no stack of its own: it forwards every call to moto and only amends what moto gets
/// wrong. The ECS reads need it: moto writes a task's `cpu`/`memory` as numbers where ECS's
/// model (and so the SDK) has strings, and the SDK refuses the whole DescribeTasks answer; and
/// moto's tasks drift toward STOPPED on each describe unless told otherwise (the agent does).
async fn endpoint(env: &TestEnv) -> aws_config::SdkConfig {
    let listen_port = devstack::ports::free_port().unwrap();
    let idle = Duration::from_secs(3600);
    let work = std::env::temp_dir().join(unique_name("adapters-agent"));
    tokio::spawn(devstack::agent::run(devstack::agent::Config {
        listen_port,
        moto_port: env.moto_port(),
        // No discovery parameters under this name: the agent's loops have nothing to do.
        stack: unique_name("no-stack"),
        pg_port: None,
        pg_data: None,
        metrics_interval: idle,
        evaluation_interval: idle,
        control_interval: idle,
        first_task_port: 20000,
        courier_bin: "/bin/false".into(),
        log_dir: work,
    }));
    let deadline = Instant::now() + Duration::from_secs(30);
    // Asked off the runtime's thread: the agent answers on this (current-thread) runtime.
    while !tokio::task::spawn_blocking(move || devstack::moto::answers(listen_port))
        .await
        .unwrap()
    {
        assert!(
            Instant::now() < deadline,
            "the devstack agent did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    devstack::aws::sdk_config(&format!("http://127.0.0.1:{listen_port}")).await
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
}

const STOP_REASON: &str = "stopped by the adapters test";

fn task_id(arn: &str) -> String {
    arn.rsplit('/').next().unwrap().to_owned()
}

/// A whole stack, created through the SDK, with its discovery parameters.
async fn build_stack(env: &TestEnv, prefix: &str) -> Built {
    let sdk = endpoint(env).await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let rds = aws_sdk_rds::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&sdk);
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let name = unique_name(prefix).replace('_', "-");

    // ECS: a cluster of its own (moto's ListTasks ignores the service filter), a task
    // definition, a service wanting 2 tasks, 3 tasks of which one is stopped.
    let cluster = format!("{name}-cluster");
    let service = format!("{name}-svc");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let task_definition_arn = ecs
        .register_task_definition()
        .family(format!("{name}-courier"))
        .container_definitions(
            ContainerDefinition::builder()
                .name("courier")
                .image("courier:1")
                .memory(256)
                .build(),
        )
        .cpu("256")
        .memory("512")
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_owned();
    ecs.create_service()
        .cluster(&cluster)
        .service_name(&service)
        .task_definition(&task_definition_arn)
        .desired_count(2)
        .launch_type(LaunchType::Fargate)
        .send()
        .await
        .unwrap();
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
    let queue_url = sqs
        .create_queue()
        .queue_name(format!("{name}-work"))
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let dlq_url = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
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
    let log_group = format!("/ecs/{name}");
    logs.create_log_group()
        .log_group_name(&log_group)
        .send()
        .await
        .unwrap();
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

    // CloudWatch alarms: one in ALARM, one OK; and one whose name only looks alike.
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
    for (alarm, state, metric, threshold) in &alarms {
        put_alarm(&cw, alarm, metric, *threshold).await;
        cw.set_alarm_state()
            .alarm_name(alarm)
            .state_value(StateValue::from(*state))
            .state_reason(format!("{alarm} is {state}"))
            .send()
            .await
            .unwrap();
    }
    put_alarm(&cw, &format!("{name}x-other"), "Errors", 1.0).await;

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

    // Discovery.
    common::publish(
        &ssm,
        &name,
        [
            ("cluster", cluster.as_str()),
            ("service", service.as_str()),
            ("task_family", &format!("{name}-courier")),
            ("queue_url", queue_url.as_str()),
            ("dlq_url", dlq_url.as_str()),
            ("db_instance_id", db.as_str()),
            ("log_group", log_group.as_str()),
            ("alarm_prefix", alarm_prefix.as_str()),
            ("target_group_arn", target_group_arn.as_str()),
        ],
    )
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
    }
}

async fn put_alarm(cw: &aws_sdk_cloudwatch::Client, name: &str, metric: &str, threshold: f64) {
    cw.put_metric_alarm()
        .alarm_name(name)
        .namespace("AWS/Test")
        .metric_name(metric)
        .statistic(Statistic::Maximum)
        .period(60)
        .evaluation_periods(1)
        .threshold(threshold)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn every_adapter_reads_back_the_stack_the_test_created() {
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let s = build_stack(env, "adapters").await;
    let sdk = &s.sdk;

    // SSM discovery.
    let stack = Discovery::new(sdk, PROFILE.into())
        .stack(&s.name)
        .await
        .unwrap();
    assert_eq!(stack.get("cluster"), Some(s.cluster.as_str()));
    assert_eq!(stack.get("queue_url"), Some(s.queue_url.as_str()));
    assert_eq!(
        stack.get("target_group_arn"),
        Some(s.target_group_arn.as_str())
    );
    let missing: Vec<&str> = DISCOVERY_KEYS
        .iter()
        .copied()
        .filter(|k| stack.get(k).is_none())
        .collect();
    assert_eq!(
        missing,
        ["topic_arn", "dynamodb_table", "load_balancer_arn"],
        "{stack:?}"
    );
    assert_eq!(stack.missing(), missing);
    let stacks = Discovery::new(sdk, PROFILE.into()).stacks().await.unwrap();
    assert!(stacks.contains(&s.name), "{stacks:?}");

    // ECS service: moto starts no tasks, so 0 running and 2 pending of 2 desired.
    let ecs = Ecs::new(sdk, PROFILE.into());
    let service = ecs.service(&s.cluster, &s.service).await.unwrap();
    assert_eq!(service.cluster, s.cluster);
    assert_eq!(service.service, s.service);
    assert_eq!(service.status, "ACTIVE");
    assert_eq!(
        (service.running, service.desired, service.pending),
        (0, 2, 2)
    );
    assert_eq!(service.deployments.len(), 1, "{:?}", service.deployments);
    let primary = &service.deployments[0];
    assert_eq!(primary.status, "PRIMARY");
    assert_eq!(primary.task_definition, s.task_definition_arn);
    assert_eq!(primary.desired, 2);
    let missing_service = ecs
        .service(&s.cluster, "no-such-service")
        .await
        .unwrap_err();
    assert!(
        missing_service.message.contains("not found"),
        "{missing_service:?}"
    );

    // ECS tasks: running first, then the stopped one with its reason.
    let tasks = ecs.tasks(&s.cluster, &s.service).await.unwrap();
    assert_eq!(tasks.len(), 3, "{tasks:?}");
    let mut running: Vec<String> = tasks[..2].iter().map(|t| t.id.clone()).collect();
    running.sort();
    let mut expected = s.running_tasks.clone();
    expected.sort();
    assert_eq!(running, expected);
    for t in &tasks[..2] {
        assert_ne!(t.last_status, "STOPPED", "{t:?}");
        assert_eq!(t.desired_status, "RUNNING");
        assert_eq!(t.task_definition, s.task_definition_arn);
    }
    assert_eq!(tasks[2].id, s.stopped_task);
    assert_eq!(tasks[2].last_status, "STOPPED");
    assert_eq!(tasks[2].desired_status, "STOPPED");
    assert_eq!(tasks[2].stopped_reason, STOP_REASON);

    // ELB targets.
    let mut targets = Elb::new(sdk, PROFILE.into())
        .target_health(&s.target_group_arn)
        .await
        .unwrap();
    targets.sort_by(|a, b| a.id.cmp(&b.id));
    let read: Vec<(String, Option<i32>, String)> = targets
        .iter()
        .map(|t| (t.id.clone(), t.port, t.state.clone()))
        .collect();
    let want: Vec<(String, Option<i32>, String)> = s
        .targets
        .iter()
        .map(|(ip, port)| (ip.clone(), Some(*port), "healthy".to_owned()))
        .collect();
    assert_eq!(read, want);

    // RDS.
    let db = Rds::new(sdk, PROFILE.into()).instance(&s.db).await.unwrap();
    assert_eq!(db.id, s.db);
    assert_eq!(db.status, "available");
    assert_eq!(db.class, "db.t4g.micro");
    assert_eq!(db.engine, "postgres");
    assert_eq!(db.engine_version, "16.3");
    assert!(db.multi_az);
    assert_eq!(db.allocated_storage_gib, 25);
    let missing_db = Rds::new(sdk, PROFILE.into())
        .instance(&format!("{}-nope", s.db))
        .await
        .unwrap_err();
    assert!(
        missing_db.message.contains("DescribeDBInstances"),
        "{missing_db:?}"
    );

    // SQS.
    let sqs = SqsActions::new(sdk, PROFILE.into());
    let work = sqs.facts(&s.queue_url).await.unwrap();
    assert_eq!(work.name, format!("{}-work", s.name));
    assert!(work.arn.ends_with(&format!(":{}-work", s.name)), "{work:?}");
    assert_eq!((work.visible, work.in_flight, work.delayed), (2, 1, 1));
    let dlq = sqs.facts(&s.dlq_url).await.unwrap();
    assert_eq!(dlq.name, format!("{}-dlq", s.name));
    assert_eq!((dlq.visible, dlq.in_flight, dlq.delayed), (2, 0, 0));

    // CloudWatch alarms: only the prefix's, ALARM first.
    let alarms = CloudWatch::new(sdk, PROFILE.into())
        .alarms(&s.alarm_prefix)
        .await
        .unwrap();
    let read: Vec<(String, String, String, Option<f64>)> = alarms
        .iter()
        .map(|a| {
            (
                a.name.clone(),
                a.state.clone(),
                a.metric.clone(),
                a.threshold,
            )
        })
        .collect();
    let want: Vec<(String, String, String, Option<f64>)> = s
        .alarms
        .iter()
        .rev()
        .map(|(n, st, m, t)| (n.clone(), st.to_string(), m.to_string(), Some(*t)))
        .collect();
    assert_eq!(read, want);
    assert_eq!(alarms[0].reason, format!("{} is ALARM", s.alarms[1].0));
    assert!(alarms.iter().all(|a| a.since.is_some()), "{alarms:?}");

    // CloudWatch metrics: two series in one request, points oldest first.
    let cw = aws_sdk_cloudwatch::Client::new(sdk);
    let queue_name = format!("{}-work", s.name);
    let now = now_ms() / 1000;
    let minute = now - now.rem_euclid(60);
    for (ago, value) in [(4i64, 4.0), (2, 2.0), (3, 3.0)] {
        cw.put_metric_data()
            .namespace("AWS/SQS")
            .metric_data(
                MetricDatum::builder()
                    .metric_name("ApproximateNumberOfMessagesVisible")
                    .dimensions(
                        Dimension::builder()
                            .name("QueueName")
                            .value(&queue_name)
                            .build(),
                    )
                    .timestamp(DateTime::from_secs(minute - ago * 60 + 5))
                    .value(value)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let queries = vec![
        query(
            "depth",
            "ApproximateNumberOfMessagesVisible",
            &queue_name,
            "Maximum",
        ),
        query("nothing", "NoSuchMetric", &queue_name, "Maximum"),
    ];
    let metrics = CloudWatch::new(sdk, PROFILE.into())
        .metric_data(&queries, minute - 3600, minute + 60, 60)
        .await
        .unwrap();
    let depth: Vec<f64> = metrics["depth"].iter().map(|(_, v)| *v).collect();
    assert_eq!(depth, [4.0, 3.0, 2.0], "{metrics:?}");
    assert!(metrics["depth"].windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(metrics["nothing"], []);

    // CloudWatch Logs: both streams, oldest first, trailing newline trimmed, ids unique.
    let lines = Logs::new(sdk, PROFILE.into())
        .fetch(&s.log_group, 0, None, None)
        .await
        .unwrap();
    let messages: Vec<&str> = lines.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(messages, s.messages);
    let streams: Vec<&str> = lines.iter().map(|l| l.stream.as_str()).collect();
    assert_eq!(
        streams,
        ["courier/a", "courier/b", "courier/a", "courier/b"]
    );
    let mut ids: Vec<&str> = lines.iter().map(|l| l.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    // A time window narrows it, and so does a plain-term pattern.
    let first = lines[0].at_ms;
    let windowed = Logs::new(sdk, PROFILE.into())
        .fetch(&s.log_group, first + 1_000, Some(first + 2_000), None)
        .await
        .unwrap();
    let windowed: Vec<&str> = windowed.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(windowed, &s.messages[1..3]);
    let matching = Logs::new(sdk, PROFILE.into())
        .fetch(&s.log_group, 0, None, Some("s3000"))
        .await
        .unwrap();
    let matching: Vec<&str> = matching.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(matching, &s.messages[3..]);
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

#[tokio::test]
async fn alarms_beyond_one_page_are_all_read() {
    // AWS's DescribeAlarms answers at most 100 alarms a page (the adapter asks for pages of
    // 100). moto answers every alarm in one page whatever MaxRecords says, so what this checks
    // against moto is that all 130 are read, only the prefix's, ALARM first then by name.
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    let prefix = format!("{}-", unique_name("many-alarms"));
    let mut names: Vec<String> = (0..130).map(|i| format!("{prefix}{i:03}")).collect();
    for name in &names {
        put_alarm(&cw, name, "Errors", 1.0).await;
    }
    // A name that only looks alike.
    put_alarm(
        &cw,
        &format!("{}x", prefix.trim_end_matches('-')),
        "Errors",
        1.0,
    )
    .await;
    cw.set_alarm_state()
        .alarm_name(&names[129])
        .state_value(StateValue::Alarm)
        .state_reason("test")
        .send()
        .await
        .unwrap();
    let alarms = CloudWatch::new(&sdk, PROFILE.into())
        .alarms(&prefix)
        .await
        .unwrap();
    assert_eq!(alarms.len(), 130);
    assert_eq!(alarms[0].name, names[129]);
    assert_eq!(alarms[0].state, "ALARM");
    let last = names.pop().unwrap();
    names.insert(0, last);
    let read: Vec<&String> = alarms.iter().map(|a| &a.name).collect();
    assert_eq!(read, names.iter().collect::<Vec<_>>());
}

#[tokio::test]
async fn log_fetch_reads_every_page_and_every_window() {
    // FilterLogEvents answers at most 10 000 events a page.
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let client = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    let group = format!("/ecs/{}", unique_name("many-logs"));
    client
        .create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    client
        .create_log_stream()
        .log_group_name(&group)
        .log_stream_name("s")
        .send()
        .await
        .unwrap();
    const EVENTS: i64 = 12_345;
    let t0 = now_ms() - 3_600_000;
    // PutLogEvents takes at most 10 000 events a call.
    for batch in (0..EVENTS).collect::<Vec<_>>().chunks(5_000) {
        let events = batch.iter().map(|i| (t0 + i * 250, format!("event {i}")));
        put_events(&client, &group, "s", events).await;
    }
    let lines = Logs::new(&sdk, PROFILE.into())
        .fetch(&group, t0, None, None)
        .await
        .unwrap();
    assert_eq!(lines.len() as i64, EVENTS);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line.message, format!("event {i}"));
        assert_eq!(line.at_ms, t0 + i as i64 * 250);
    }
    let mut ids: Vec<&str> = lines.iter().map(|l| l.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as i64, EVENTS, "event ids are unique");

    // `stackdeck logs` reads the same hour in time windows, several at once: every event once,
    // in order, over more than one window.
    let mut windowed = Vec::new();
    let mut windows = 0;
    Logs::new(&sdk, PROFILE.into())
        .fetch_windows(&group, t0, t0 + 3_600_000, None, |lines| {
            windows += usize::from(!lines.is_empty());
            windowed.extend(lines);
            true
        })
        .await
        .unwrap();
    assert!(windows > 1, "{windows} windows held events");
    assert_eq!(windowed, lines);
}

#[tokio::test]
async fn tasks_beyond_one_describe_batch_are_all_read() {
    // DescribeTasks takes at most 100 tasks a call.
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let sdk = endpoint(env).await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let name = unique_name("many-tasks").replace('_', "-");
    ecs.create_cluster()
        .cluster_name(&name)
        .send()
        .await
        .unwrap();
    let arn = ecs
        .register_task_definition()
        .family(&name)
        .container_definitions(
            ContainerDefinition::builder()
                .name("courier")
                .image("courier:1")
                .memory(256)
                .build(),
        )
        .cpu("256")
        .memory("512")
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_owned();
    let mut started = Vec::new();
    for _ in 0..13 {
        let out = ecs
            .run_task()
            .cluster(&name)
            .task_definition(&arn)
            .count(10)
            .started_by(&name)
            .launch_type(LaunchType::Fargate)
            .send()
            .await
            .unwrap();
        started.extend(out.tasks().iter().map(|t| task_id(t.task_arn().unwrap())));
    }
    assert_eq!(started.len(), 130);
    // 10 stopped: the panel keeps every running task, and stopped ones only up to 30 tasks.
    let stopped: Vec<String> = started.drain(..10).collect();
    for id in &stopped {
        ecs.stop_task()
            .cluster(&name)
            .task(id)
            .reason("scaled in")
            .send()
            .await
            .unwrap();
    }
    let tasks = Ecs::new(&sdk, PROFILE.into())
        .tasks(&name, &name)
        .await
        .unwrap();
    let mut read: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    read.sort();
    started.sort();
    assert_eq!(read, started);
    assert!(
        tasks.iter().all(|t| t.last_status == "RUNNING"),
        "{tasks:?}"
    );

    // With fewer running than 30, the newest stopped ones fill up to 30.
    for id in started.drain(..100) {
        ecs.stop_task()
            .cluster(&name)
            .task(&id)
            .reason("scaled in")
            .send()
            .await
            .unwrap();
    }
    let tasks = Ecs::new(&sdk, PROFILE.into())
        .tasks(&name, &name)
        .await
        .unwrap();
    assert_eq!(tasks.len(), 30);
    let mut running: Vec<String> = tasks[..20].iter().map(|t| t.id.clone()).collect();
    running.sort();
    assert_eq!(running, started);
    assert!(tasks[20..]
        .iter()
        .all(|t| t.last_status == "STOPPED" && t.stopped_reason == "scaled in"));
}

/// Put `messages` into `group`/`stream`, timestamped now.
/// Put `(timestamp, message)` events, oldest first, into `stream` in one call.
async fn put_events(
    client: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    stream: &str,
    events: impl IntoIterator<Item = (i64, String)>,
) {
    client
        .put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(
            events
                .into_iter()
                .map(|(at, message)| {
                    InputLogEvent::builder()
                        .timestamp(at)
                        .message(message)
                        .build()
                        .unwrap()
                })
                .collect(),
        ))
        .send()
        .await
        .unwrap();
}

async fn put_now(
    client: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    stream: &str,
    messages: &[&str],
) {
    let at = now_ms();
    put_events(
        client,
        group,
        stream,
        messages.iter().map(|m| (at, m.to_string())),
    )
    .await;
}

async fn log_group(
    sdk: &aws_config::SdkConfig,
    prefix: &str,
) -> (aws_sdk_cloudwatchlogs::Client, String) {
    let client = aws_sdk_cloudwatchlogs::Client::new(sdk);
    let group = format!("/ecs/{}", unique_name(prefix));
    client
        .create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    client
        .create_log_stream()
        .log_group_name(&group)
        .log_stream_name("s")
        .send()
        .await
        .unwrap();
    (client, group)
}

#[tokio::test]
async fn the_poller_reports_each_event_once_late_ones_included() {
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let (client, group) = log_group(&sdk, "poller").await;
    let start = now_ms() - 60_000;
    let mut poller = Poller::new(Logs::new(&sdk, PROFILE.into()), &group, start);
    assert_eq!(poller.poll().await.unwrap(), []);

    put_now(&client, &group, "s", &["one", "two"]).await;
    let first: Vec<String> = poller
        .poll()
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.message)
        .collect();
    assert_eq!(first, ["one", "two"]);
    // Nothing new: the overlap window reads them again, and drops them.
    assert_eq!(poller.poll().await.unwrap(), []);

    // An event arriving late, stamped a few seconds before the newest one seen (ingestion lag),
    // still inside the overlap: reported, once.
    put_events(&client, &group, "s", [(now_ms() - 5_000, "late".into())]).await;
    put_now(&client, &group, "s", &["three"]).await;
    let second: Vec<String> = poller
        .poll()
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.message)
        .collect();
    assert_eq!(second, ["late", "three"]);
    assert_eq!(poller.poll().await.unwrap(), []);
}

/// Lines of a tail event into `received`; a second mode or an error fails the test.
fn take(event: TailEvent, received: &mut Vec<String>) {
    match event {
        TailEvent::Lines(lines) => received.extend(lines.into_iter().map(|l| l.message)),
        TailEvent::Mode(mode) => panic!("a second mode: {mode:?}"),
        TailEvent::Error(e) => panic!("the tail reported an error: {e}"),
    }
}

/// How often the tails of these tests poll.
const TAIL_EVERY: Duration = Duration::from_millis(200);

/// A tail of `group` in a task of its own; what it reports arrives on the receiver.
fn spawn_tail(
    sdk: &aws_config::SdkConfig,
    group: &str,
    start_ms: i64,
    history: History,
    pattern: Option<&'static str>,
) -> (
    tokio::task::JoinHandle<()>,
    tokio::sync::mpsc::UnboundedReceiver<TailEvent>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let logs = Logs::new(sdk, PROFILE.into());
    let group = group.to_owned();
    let task = tokio::spawn(async move {
        let tail = Tail {
            group: &group,
            start_ms,
            history,
            pattern,
            every: TAIL_EVERY,
        };
        logs.tail(tail, move |event| tx.send(event).is_ok()).await
    });
    (task, rx)
}

/// Collect what a tail reports until it says its mode (the history comes first).
async fn until_mode(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<TailEvent>,
    received: &mut Vec<String>,
) -> TailMode {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let event = tokio::time::timeout_at(deadline.into(), rx.recv())
            .await
            .expect("no mode reported")
            .expect("the tail ended");
        match event {
            TailEvent::Mode(mode) => return mode,
            other => take(other, received),
        }
    }
}

/// Collect what a tail reports during `wait`.
async fn during(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<TailEvent>,
    wait: Duration,
    received: &mut Vec<String>,
) {
    let quiet = Instant::now() + wait;
    while let Ok(event) = tokio::time::timeout_at(quiet.into(), rx.recv()).await {
        take(event.expect("the tail ended"), received);
    }
}

#[tokio::test]
async fn the_polling_tail_receives_events_put_after_it_started_once_each() {
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let (client, group) = log_group(&sdk, "tail").await;
    put_now(&client, &group, "s", &["history 1", "history 2"]).await;

    let (tail, mut rx) = spawn_tail(&sdk, &group, now_ms() - 60_000, History::All, None);

    let mut received: Vec<String> = Vec::new();

    // History first, then the mode: moto has no StartLiveTail, so polling.
    let mode = until_mode(&mut rx, &mut received).await;
    match &mode {
        TailMode::Polling { every: e, why } => {
            assert_eq!(*e, TAIL_EVERY);
            assert!(!why.is_empty());
        }
        TailMode::Live => panic!("moto has no live tail, yet the tail says live"),
    }
    assert_eq!(received, ["history 1", "history 2"]);

    // Events put after the tail started arrive.
    put_now(&client, &group, "s", &["after 1", "after 2"]).await;
    put_now(&client, &group, "s", &["after 3"]).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while received.len() < 5 {
        let event = tokio::time::timeout_at(deadline.into(), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("only {received:?} arrived"))
            .expect("the tail ended");
        take(event, &mut received);
    }
    // …and only once: several more polls (each re-reading the overlap) bring nothing.
    during(&mut rx, TAIL_EVERY * 8, &mut received).await;
    tail.abort();
    assert_eq!(
        received,
        ["history 1", "history 2", "after 1", "after 2", "after 3"]
    );
}

#[tokio::test]
async fn a_filtered_tail_reports_only_matching_events_from_history_and_polls() {
    // `stackdeck logs --follow --filter PATTERN`.
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let (client, group) = log_group(&sdk, "filtered").await;
    put_now(&client, &group, "s", &["keep 1", "drop 1"]).await;
    let (tail, mut rx) = spawn_tail(&sdk, &group, now_ms() - 60_000, History::All, Some("keep"));
    let mut received = Vec::new();
    until_mode(&mut rx, &mut received).await;
    put_now(&client, &group, "s", &["drop 2", "keep 2"]).await;
    during(&mut rx, TAIL_EVERY * 10, &mut received).await;
    tail.abort();
    assert_eq!(received, ["keep 1", "keep 2"]);
}

#[tokio::test]
async fn the_dashboard_reads_only_the_newest_history_and_polling_skips_what_it_read() {
    // Counts this test's calls: no other test may send meanwhile.
    let _calls = CALLS.write().await;
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let (client, group) = log_group(&sdk, "recent").await;
    let now = now_ms();
    // 3 000 events over the last nine minutes; the tail starts ten minutes back (ten windows).
    let events = (0..3_000).map(|i| (now - 540_000 + i * 180, format!("old {i}")));
    put_events(&client, &group, "s", events).await;
    let start = now - 600_000;

    let logs = Logs::new(&sdk, PROFILE.into());
    let before = stackdeck::aws::calls::sent();
    let recent = logs.recent(&group, start, now, None, 100).await.unwrap();
    let calls = stackdeck::aws::calls::sent() - before;
    let expected: Vec<String> = (3_000 - recent.len()..3_000)
        .map(|i| format!("old {i}"))
        .collect();
    let messages: Vec<String> = recent.iter().map(|l| l.message.clone()).collect();
    assert_eq!(messages, expected, "the newest events, oldest first");
    assert!(
        (100..3_000).contains(&recent.len()),
        "{} read",
        recent.len()
    );
    assert!(
        calls <= 4,
        "{calls} calls: only the windows in flight are read"
    );

    // The tail reports exactly the newest 20 (fewer than the last 10 s of polling overlap holds),
    // then each new event once — none of the older ones it read and did not show.
    let (tail, mut rx) = spawn_tail(&sdk, &group, start, History::Newest(20), None);
    let mut received = Vec::new();
    until_mode(&mut rx, &mut received).await;
    assert_eq!(received, expected[expected.len() - 20..]);
    received.clear();
    put_now(&client, &group, "s", &["new 1"]).await;
    during(&mut rx, TAIL_EVERY * 10, &mut received).await;
    tail.abort();
    assert_eq!(received, ["new 1"], "older events are not reported late");
}

#[tokio::test]
async fn one_refresh_fills_every_panel_with_as_many_calls_for_one_metric_as_for_fifty() {
    let env = TestEnv::shared().await;
    let s = build_stack(env, "refresh").await;
    let sdk = &s.sdk;
    let stack = Discovery::new(sdk, PROFILE.into())
        .stack(&s.name)
        .await
        .unwrap();
    let queue_name = format!("{}-work", s.name);
    let now = now_ms() / 1000;
    aws_sdk_cloudwatch::Client::new(sdk)
        .put_metric_data()
        .namespace("AWS/SQS")
        .metric_data(
            MetricDatum::builder()
                .metric_name("ApproximateNumberOfMessagesVisible")
                .dimensions(
                    Dimension::builder()
                        .name("QueueName")
                        .value(&queue_name)
                        .build(),
                )
                .timestamp(DateTime::from_secs(now - 120))
                .value(7.0)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let d = stackdeck::refresh::refresh(sdk, PROFILE, &stack, now).await;
    let service = d.health.service.as_ref().unwrap();
    assert_eq!(
        (service.service.as_str(), service.desired),
        (s.service.as_str(), 2)
    );
    let queue = d.health.queue.as_ref().unwrap();
    assert_eq!(
        (queue.name.as_str(), queue.visible, queue.dlq_visible),
        (queue_name.as_str(), 2, 2)
    );
    assert_eq!(d.health.alarms.as_ref().unwrap().len(), 2);
    assert_eq!(d.tasks.as_ref().unwrap().len(), 3);
    assert_eq!(d.targets.as_ref().unwrap().as_ref().unwrap().len(), 2);
    assert_eq!(d.database.as_ref().unwrap().as_ref().unwrap().id, s.db);
    let metrics = d.metrics.as_ref().unwrap();
    let mut ids: Vec<&str> = metrics.keys().map(String::as_str).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            dashboard::CONNECTIONS,
            dashboard::CPU,
            dashboard::FREE_STORAGE,
            dashboard::QUEUE_DEPTH,
            dashboard::OLDEST_AGE,
        ]
    );
    assert_eq!(d.latest(dashboard::QUEUE_DEPTH), Some(7.0));

    // The number of requests does not grow with the number of metrics charted.
    let _calls = CALLS.write().await;
    let one = vec![query(
        "m0",
        "ApproximateNumberOfMessagesVisible",
        &queue_name,
        "Maximum",
    )];
    let fifty: Vec<MetricQuery> = (0..50)
        .map(|i| {
            query(
                &format!("m{i}"),
                "ApproximateNumberOfMessagesVisible",
                &queue_name,
                "Maximum",
            )
        })
        .collect();
    let mut sent = Vec::new();
    for queries in [&one, &fifty] {
        let before = stackdeck::aws::calls::sent();
        let d = stackdeck::refresh::refresh_with(sdk, PROFILE, &stack, now, queries).await;
        sent.push(stackdeck::aws::calls::sent() - before);
        let metrics = d.metrics.as_ref().unwrap();
        assert_eq!(metrics.len(), queries.len());
        assert!(metrics.values().all(|s| s.last().map(|p| p.1) == Some(7.0)));
    }
    // Service, 2 task listings, DescribeTasks, 2 queues, alarms, targets, database, metrics.
    assert_eq!(sent, [10, 10]);
}

#[tokio::test]
async fn a_resource_that_is_gone_is_reported_as_not_found() {
    use stackdeck::aws::error::AwsErrorKind;
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let sdk = endpoint(env).await;
    let gone = unique_name("gone").replace('_', "-");
    let mut errors = Vec::new();
    errors.push((
        "ecs cluster",
        Ecs::new(&sdk, PROFILE.into())
            .service(&gone, &gone)
            .await
            .unwrap_err(),
    ));
    errors.push((
        "rds",
        Rds::new(&sdk, PROFILE.into())
            .instance(&gone)
            .await
            .unwrap_err(),
    ));
    errors.push((
        "logs",
        Logs::new(&sdk, PROFILE.into())
            .fetch(&format!("/ecs/{gone}"), 0, None, None)
            .await
            .unwrap_err(),
    ));
    errors.push((
        "elb",
        Elb::new(&sdk, PROFILE.into())
            .target_health(&format!(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{gone}/0123456789abcdef"
            ))
            .await
            .unwrap_err(),
    ));
    let queue_url = format!("{}/123456789012/{gone}", env.aws_endpoint());
    errors.push((
        "sqs",
        SqsActions::new(&sdk, PROFILE.into())
            .facts(&queue_url)
            .await
            .unwrap_err(),
    ));
    for (what, e) in &errors {
        assert_eq!(e.kind, AwsErrorKind::NotFound, "{what}: {}", e.message);
        assert!(e.message.contains(&gone), "{what}: {}", e.message);
    }
    // Nothing under a prefix is no error: no alarms.
    assert_eq!(
        CloudWatch::new(&sdk, PROFILE.into())
            .alarms(&format!("{gone}-"))
            .await
            .unwrap(),
        []
    );
}
