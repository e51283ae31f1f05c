//! The slow-db drill, end to end: `devstack drill slow-db` loops CPU-heavy statements on
//! courier's database; the agent's AWS/RDS CPUUtilization of the local PostgreSQL (percent of
//! one core) goes over the rds-cpu alarm's threshold and `stackdeck status` shows it in ALARM.
//! The documented fix — `pg_terminate_backend` of the drill's statements, found in
//! `pg_stat_activity` by their application_name, through psql — ends the drill's load, and the
//! alarm returns to OK. Shortened: one period of 60 s (the stack's alarm needs 5) and a threshold
//! of 20 % (the stack's is 80): one busy backend on a busy shared CI machine still passes it, an idle
//! courier stays far below.

use super::{DrillStack, Metric, Setup};
use aws_sdk_cloudwatch::types::Statistic;
use devstack::drill::Name;
use devstack::testkit::eventually;
use std::time::Duration;

/// The fix the drill prints, as the on-call engineer types it.
const TERMINATE: &str = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE application_name = 'devstack-drill-slow-db'";

/// `psql <database_url> -Atc sql`: its output lines.
fn psql(database_url: &str, sql: &str) -> Vec<String> {
    let out = std::process::Command::new("psql")
        .arg(database_url)
        .args(["-Atc", sql])
        .output()
        .expect("run psql");
    assert!(out.status.success(), "psql: {}", crate::kit::text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_slow_db_drill_fires_the_rds_cpu_alarm_and_terminating_its_statements_clears_it() {
    let deck = DrillStack::start("slowdb", Setup::default()).await;
    let cpu = Metric {
        namespace: "AWS/RDS",
        name: "CPUUtilization",
        dimension: ("DBInstanceIdentifier", &deck.db_instance_id),
        statistic: Statistic::Average,
    };
    deck.alarm("rds-cpu", cpu, 1, 20.0).await;
    // An idle courier keeps its database far below the threshold.
    eventually(
        Duration::from_secs(120),
        "rds-cpu OK while idle",
        || async {
            let alarm = deck.status().alarm("rds-cpu");
            (alarm == "OK").then_some(()).ok_or(alarm)
        },
    )
    .await;

    // The drill, for longer than the test needs: the fix ends it.
    let target = deck.target(Some(Duration::from_secs(600))).await;
    let drill = tokio::spawn(async move { devstack::drill::run(Name::SlowDb, &target).await });
    eventually(Duration::from_secs(180), "rds-cpu ALARM", || async {
        let status = deck.status();
        let alarm = status.alarm("rds-cpu");
        (alarm == "ALARM")
            .then_some(())
            .ok_or_else(|| format!("{alarm}: {}", status.json["snapshot"]["alarms"]))
    })
    .await;
    assert!(!drill.is_finished(), "the drill's load runs until stopped");

    // The fix: its statements found in pg_stat_activity and ended; the drill says so and ends.
    let ended = psql(&deck.database_url, TERMINATE);
    assert_eq!(ended, ["t"], "one drill connection terminated");
    eventually(Duration::from_secs(60), "the drill ended", || async {
        drill.is_finished().then_some(())
    })
    .await;
    drill
        .await
        .unwrap()
        .expect("the drill ends cleanly when terminated");
    assert!(
        psql(&deck.database_url, TERMINATE).is_empty(),
        "no drill connection left"
    );
    eventually(Duration::from_secs(180), "rds-cpu back to OK", || async {
        let alarm = deck.status().alarm("rds-cpu");
        (alarm == "OK").then_some(()).ok_or(alarm)
    })
    .await;
}
