//! The errors drill, end to end: `devstack drill errors` deletes courier's DynamoDB idempotency
//! table while steady traffic goes on. courier's liveness stays 200 (its task stays a healthy
//! target) while `POST /messages` answers 503 naming the missing table, so the load balancer
//! counts the target's 5xx and the alb-5xx alarm goes to ALARM in `stackdeck status`. When the
//! drill ends it recreates the table as it was: messages are accepted again and the alarm
//! returns to OK. Shortened: one period of 60 s (the stack's alarm needs 3), a 90 s outage.

use super::{DrillStack, Metric, Setup};
use aws_sdk_cloudwatch::types::Statistic;
use devstack::drill::Name;
use devstack::testkit::eventually;
use std::time::Duration;

/// `POST /messages` with an idempotency key through the load balancer: status and body.
async fn post(lb_url: &str, key: &str) -> (u16, String) {
    let body = serde_json::json!({"channel": "drill", "sender": "test", "body": key});
    let (status, body) = devstack::http::post_json(
        &format!("{lb_url}/messages"),
        &[("idempotency-key", key)],
        &body,
        Duration::from_secs(10),
    )
    .await
    .expect("POST /messages through the load balancer");
    (status.as_u16(), String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_errors_drill_fires_the_5xx_alarm_and_the_restored_table_clears_it() {
    let deck = DrillStack::start("errors", Setup::default()).await;
    let fives = Metric {
        namespace: "AWS/ApplicationELB",
        name: "HTTPCode_Target_5XX_Count",
        dimension: ("LoadBalancer", &deck.load_balancer),
        statistic: Statistic::Sum,
    };
    deck.alarm("alb-5xx", fives, 1, 10.0).await;
    eventually(Duration::from_secs(120), "alb-5xx OK before", || async {
        let alarm = deck.status().alarm("alb-5xx");
        (alarm == "OK").then_some(()).ok_or(alarm)
    })
    .await;
    let lb = deck.agent.lb_url();
    assert_eq!(post(&lb, "before").await.0, 202);

    let target = deck.target(Some(Duration::from_secs(90))).await;
    let drill = tokio::spawn(async move { devstack::drill::run(Name::Errors, &target).await });
    // The outage: courier alive and failing, the error naming the missing table.
    eventually(
        Duration::from_secs(30),
        "a 503 naming the table",
        || async {
            let (status, body) = post(&lb, "during").await;
            (status == 503
                && body.contains("idempotency table")
                && body.contains("ResourceNotFound"))
            .then_some(())
            .ok_or(format!("{status} {body}"))
        },
    )
    .await;
    let (health, _) = devstack::http::get(&format!("{lb}/healthz"), Duration::from_secs(5))
        .await
        .expect("GET /healthz through the load balancer");
    assert_eq!(health.as_u16(), 200, "courier's liveness stays healthy");
    eventually(Duration::from_secs(150), "alb-5xx ALARM", || async {
        let status = deck.status();
        let alarm = status.alarm("alb-5xx");
        (alarm == "ALARM")
            .then_some(())
            .ok_or_else(|| format!("{alarm}: {}", status.json["snapshot"]["alarms"]))
    })
    .await;

    // The drill ends by recreating the table: accepted again, the alarm back to OK.
    eventually(Duration::from_secs(150), "the drill ended", || async {
        drill.is_finished().then_some(())
    })
    .await;
    drill.await.unwrap().expect("the drill restores the table");
    assert_eq!(post(&lb, "after").await.0, 202, "accepted again");
    eventually(Duration::from_secs(150), "alb-5xx back to OK", || async {
        let alarm = deck.status().alarm("alb-5xx");
        (alarm == "OK").then_some(()).ok_or(alarm)
    })
    .await;
}
