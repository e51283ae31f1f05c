//! Why `aws-sdk-cloudwatch` is pinned to 1.99.0: it is the last release that speaks CloudWatch's
//! Query protocol. Later releases speak only Smithy RPC v2 CBOR, which moto 5.2 does not
//! understand. This test proves the pinned client talks to moto: it writes datapoints and an
//! alarm, then reads them back with GetMetricData and DescribeAlarms.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricDataQuery, MetricDatum, MetricStat, StateValue,
    Statistic,
};
use devstack::testenv::{unique_name, TestEnv};
use std::time::{Duration, SystemTime};

#[tokio::test]
async fn get_metric_data_and_describe_alarms_work_against_moto() {
    let env = TestEnv::shared().await;
    let cw = aws_sdk_cloudwatch::Client::new(&env.sdk_config().await);
    let queue = unique_name("queue");
    let dimension = Dimension::builder().name("QueueName").value(&queue).build();
    let now = SystemTime::now();

    for (minutes_ago, value) in [(3u64, 10.0), (2, 20.0), (1, 30.0)] {
        cw.put_metric_data()
            .namespace("AWS/SQS")
            .metric_data(
                MetricDatum::builder()
                    .metric_name("ApproximateNumberOfMessagesVisible")
                    .dimensions(dimension.clone())
                    .timestamp(DateTime::from(now - Duration::from_secs(minutes_ago * 60)))
                    .value(value)
                    .build(),
            )
            .send()
            .await
            .expect("PutMetricData");
    }

    let data = cw
        .get_metric_data()
        .start_time(DateTime::from(now - Duration::from_secs(3600)))
        .end_time(DateTime::from(now + Duration::from_secs(60)))
        .metric_data_queries(
            MetricDataQuery::builder()
                .id("depth")
                .metric_stat(
                    MetricStat::builder()
                        .metric(
                            Metric::builder()
                                .namespace("AWS/SQS")
                                .metric_name("ApproximateNumberOfMessagesVisible")
                                .dimensions(dimension.clone())
                                .build(),
                        )
                        .period(60)
                        .stat("Maximum")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("GetMetricData speaks a protocol moto understands");
    let result = &data.metric_data_results()[0];
    assert_eq!(result.id(), Some("depth"));
    let mut values = result.values().to_vec();
    values.sort_by(f64::total_cmp);
    assert_eq!(values, vec![10.0, 20.0, 30.0]);

    let alarm = format!("{queue}-depth");
    cw.put_metric_alarm()
        .alarm_name(&alarm)
        .namespace("AWS/SQS")
        .metric_name("ApproximateNumberOfMessagesVisible")
        .dimensions(dimension)
        .statistic(Statistic::Maximum)
        .period(60)
        .evaluation_periods(10)
        .threshold(100.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .expect("PutMetricAlarm");
    cw.set_alarm_state()
        .alarm_name(&alarm)
        .state_value(StateValue::Alarm)
        .state_reason("test: depth above 100")
        .send()
        .await
        .expect("SetAlarmState");

    let alarms = cw
        .describe_alarms()
        .alarm_name_prefix(&queue)
        .send()
        .await
        .expect("DescribeAlarms speaks a protocol moto understands");
    let found = alarms.metric_alarms();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].alarm_name(), Some(alarm.as_str()));
    assert_eq!(found[0].state_value(), Some(&StateValue::Alarm));
    assert_eq!(found[0].threshold(), Some(100.0));
    assert_eq!(found[0].evaluation_periods(), Some(10));
}
