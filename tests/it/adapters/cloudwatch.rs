//! CloudWatch: alarms beyond one page; one dashboard refresh, whose calls do not grow with the
//! number of metrics charted.

use super::{alarm, build_stack, now_ms, put_queue_depth, query, PROFILE};
use crate::kit::CALLS;
use aws_sdk_cloudwatch::types::StateValue;
use devstack::testenv::{unique_name, TestEnv};
use stackdeck::aws::cloudwatch::CloudWatch;
use stackdeck::aws::ssm::Discovery;
use stackdeck::model::dashboard::{self, MetricQuery};
use stackdeck::model::stack::AlarmSelector;

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
        alarm("Errors", 1.0).put(&cw, name).await.unwrap();
    }
    // A name that only looks alike.
    alarm("Errors", 1.0)
        .put(&cw, &format!("{}x", prefix.trim_end_matches('-')))
        .await
        .unwrap();
    cw.set_alarm_state()
        .alarm_name(&names[129])
        .state_value(StateValue::Alarm)
        .state_reason("test")
        .send()
        .await
        .unwrap();
    let alarms = CloudWatch::new(&sdk, PROFILE.into())
        .alarms(&AlarmSelector::Prefix(&prefix))
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
    put_queue_depth(
        &aws_sdk_cloudwatch::Client::new(sdk),
        &queue_name,
        now - 120,
        7.0,
    )
    .await;

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
            dashboard::QUEUE_DELETED,
            dashboard::QUEUE_DEPTH,
            dashboard::OLDEST_AGE,
            dashboard::QUEUE_RECEIVED,
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
