//! Discovery from the AWS API against moto, for a stack this repository did not build: from
//! `--cluster/--service` (no `--stack`, so no SSM parameter is read) the task definition gives
//! the family and the log group, its environment the queue, the queue's RedrivePolicy the DLQ,
//! and the alarms' dimensions the alarms; a config stack with `resources` needs no SSM at all.

use super::kit::stackdeck;
use devstack::testenv::TestEnv;
use devstack::testkit::foreign;

#[tokio::test]
async fn cluster_and_service_find_the_rest_without_ssm() {
    let env = TestEnv::shared().await;
    let builder = foreign::builder("api-disc");
    let name = builder.name().to_owned();
    let sdk = env.sdk_config().await;
    let stack = builder.build(&sdk).await.expect("build the stack");
    // An alarm on the work queue's depth, and one on another queue that is not the stack's.
    for (alarm, queue) in [
        ("queue-depth", format!("{name}-work")),
        ("elsewhere", "other".into()),
    ] {
        foreign::queue_alarm(&sdk, &format!("{name}-{alarm}"), &queue)
            .await
            .expect("PutMetricAlarm");
    }
    let out = stackdeck(&env.aws_endpoint())
        .args(["--cluster", &stack.cluster, "--service", &stack.service])
        .args(["discover", "--format", "json"])
        .output()
        .expect("run stackdeck");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let values = &json["values"];
    assert_eq!(values["cluster"], stack.cluster.as_str());
    assert_eq!(values["task_family"], stack.family.as_str());
    assert_eq!(values["log_group"], format!("/ecs/{name}"));
    assert_eq!(values["log_stream_prefix"], "courier");
    assert_eq!(values["queue_url"], stack.queue_url.as_str());
    assert_eq!(values["dlq_url"], stack.dlq_url.as_str());
    assert_eq!(values["alarm_names"], format!("{name}-queue-depth"));
    assert_eq!(json["sources"]["queue_url"], "task_definition");
    assert_eq!(json["sources"]["dlq_url"], "redrive_policy");
    assert_eq!(json["sources"]["alarm_names"], "alarm_dimensions");
    assert!(json["notes"]["target_group_arn"]
        .as_str()
        .is_some_and(|n| n.contains("no load balancer")));

    // The same stack as a config stanza: pasted, it opens with no discovery call at all.
    let toml = stackdeck(&env.aws_endpoint())
        .args(["--cluster", &stack.cluster, "--service", &stack.service])
        .args(["discover", "--format", "toml"])
        .output()
        .expect("run stackdeck");
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("config.toml");
    std::fs::write(&config, &toml.stdout).unwrap();
    let status = stackdeck(&env.aws_endpoint())
        .args([
            "--config",
            config.to_str().unwrap(),
            "--stack",
            &stack.service,
        ])
        .args(["status", "--format", "json"])
        .output()
        .expect("run stackdeck");
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap_or_else(|_| {
        panic!("status: {}", String::from_utf8_lossy(&status.stderr));
    });
    let snapshot = &json["snapshot"];
    assert_eq!(snapshot["stack"], stack.service.as_str(), "{json}");
    assert_eq!(
        snapshot["queue"]["Ok"]["dlq_name"],
        format!("{name}-dlq"),
        "{json}"
    );
    assert_eq!(
        snapshot["alarms"]["Ok"][0]["name"],
        format!("{name}-queue-depth"),
        "{json}"
    );
}

#[tokio::test]
async fn a_database_url_in_the_environment_finds_the_db_instance() {
    // A moto of its own: one RDS resource id per moto (see `TestEnv::shared`).
    let env = tokio::task::spawn_blocking(TestEnv::start)
        .await
        .unwrap()
        .expect("a test environment of its own");
    let env = &env;
    let sdk = env.sdk_config().await;
    let builder = foreign::builder("db-disc");
    let name = builder.name().to_owned();
    let id = format!("{name}-db");
    let rds = aws_sdk_rds::Client::new(&sdk);
    rds.create_db_instance()
        .db_instance_identifier(&id)
        .engine("postgres")
        .db_instance_class("db.t4g.micro")
        .allocated_storage(20)
        .master_username("courier")
        .master_user_password("not-a-secret-1")
        .send()
        .await
        .expect("CreateDBInstance");
    let described = rds
        .describe_db_instances()
        .db_instance_identifier(&id)
        .send()
        .await
        .expect("DescribeDBInstances");
    let address = described.db_instances()[0]
        .endpoint()
        .and_then(|e| e.address())
        .expect("an endpoint address")
        .to_owned();
    let url = format!("postgres://courier:secret@{address}:5432/courier?sslmode=require");
    // A second revision, the one the service runs: the database's URL in its environment.
    let stack = builder
        .revision(
            devstack::testkit::stack::Revision::image("app:2")
                .env("WORK_QUEUE", format!("{name}-work"))
                .env("DATABASE_URL", url),
        )
        .build(&sdk)
        .await
        .expect("build the stack");
    let out = stackdeck(&env.aws_endpoint())
        .args(["--cluster", &stack.cluster, "--service", &stack.service])
        .args(["discover", "--format", "json"])
        .output()
        .expect("run stackdeck");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("discover: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(json["values"]["db_instance_id"], id.as_str(), "{json}");
    assert_eq!(
        json["sources"]["db_instance_id"], "task_definition",
        "{json}"
    );
}
