//! Every adapter reads back the stack the test created; a resource that is gone is NotFound.

use super::{build_stack, endpoint, now_ms, put_queue_depth, query, PROFILE, STOP_REASON};
use crate::kit::CALLS;
use devstack::testenv::{unique_name, TestEnv};
use stackdeck::aws::cloudwatch::CloudWatch;
use stackdeck::aws::ecs::Ecs;
use stackdeck::aws::elb::Elb;
use stackdeck::aws::logs::Logs;
use stackdeck::aws::rds::Rds;
use stackdeck::aws::sqs_actions::SqsActions;
use stackdeck::aws::ssm::Discovery;
use stackdeck::model::stack::{AlarmSelector, DISCOVERY_KEYS};

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
        .alarms(&AlarmSelector::Prefix(&s.alarm_prefix))
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
        put_queue_depth(&cw, &queue_name, minute - ago * 60 + 5, value).await;
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

#[tokio::test]
async fn a_resource_that_is_gone_is_reported_as_not_found() {
    use stackdeck::aws::error::AwsErrorKind;
    let _calls = CALLS.read().await;
    let env = TestEnv::shared().await;
    let agent = endpoint(env).await;
    let sdk = agent.sdk().await;
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
            .alarms(&AlarmSelector::Prefix(&format!("{gone}-")))
            .await
            .unwrap(),
        []
    );
}
