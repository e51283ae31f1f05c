use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn container(name: &str, essential: bool, driver: Option<&str>, group: Option<&str>) -> Container {
    Container {
        name: name.into(),
        essential,
        log_driver: driver.map(str::to_owned),
        log_options: group
            .map(|g| {
                [
                    ("awslogs-group".to_owned(), g.to_owned()),
                    ("awslogs-stream-prefix".to_owned(), "ecs".to_owned()),
                ]
                .into()
            })
            .unwrap_or_default(),
        env: Vec::new(),
    }
}

#[test]
fn logs_come_from_the_routed_container_else_the_essential_one() {
    let containers = [
        container("sidecar", false, Some("awslogs"), Some("/side")),
        container("app", true, Some("awslogs"), Some("/ecs/app")),
    ];
    let app = Logs::CloudWatch {
        group: "/ecs/app".into(),
        stream_prefix: Some("ecs".into()),
    };
    assert_eq!(logs_of(&containers, None), app);
    assert_eq!(logs_of(&containers, Some("app")), app);
    assert!(matches!(
        logs_of(&containers, Some("sidecar")),
        Logs::CloudWatch { group, .. } if group == "/side"
    ));
}

#[test]
fn firelens_is_named_as_logs_elsewhere() {
    let containers = [container("app", true, Some("awsfirelens"), None)];
    assert_eq!(
        logs_of(&containers, None),
        Logs::Elsewhere {
            container: "app".into(),
            driver: "awsfirelens".into()
        }
    );
    assert_eq!(
        logs_of(&[container("app", true, None, None)], None),
        Logs::Unconfigured
    );
}

#[test]
fn queues_are_urls_arns_or_names_under_a_queue_variable() {
    let found = queue_refs(&env(&[
        (
            "WORK_URL",
            "https://sqs.eu-west-1.amazonaws.com/123456789012/work",
        ),
        ("JOBS", "arn:aws:sqs:eu-west-1:123456789012:jobs"),
        ("RETRY_QUEUE", "retry.fifo"),
        ("LOG_LEVEL", "info"),
        ("HOME_PAGE", "https://example.com/a/b"),
        (
            "AGAIN",
            "https://sqs.eu-west-1.amazonaws.com/123456789012/work",
        ),
        ("LOCAL", "http://127.0.0.1:4566/000000000000/local"),
    ]));
    assert_eq!(
        found,
        [
            QueueRef::Url("https://sqs.eu-west-1.amazonaws.com/123456789012/work".into()),
            QueueRef::Name("jobs".into()),
            QueueRef::Name("retry.fifo".into()),
            QueueRef::Url("http://127.0.0.1:4566/000000000000/local".into()),
        ]
    );
    assert_eq!(
        queue_name_of_arn("arn:aws:sqs:eu-west-1:123456789012:work-dlq"),
        Some("work-dlq")
    );
}

#[test]
fn topics_tables_and_hosts_are_read_from_values() {
    let values = env(&[
        ("TOPIC", "arn:aws:sns:eu-west-1:123456789012:events"),
        ("IDEMPOTENCY_TABLE", "idem"),
        (
            "DATABASE_URL",
            "postgres://app:secret@orders.abc123.eu-west-1.rds.amazonaws.com:5432/orders",
        ),
        ("DB_HOST", "Replica.abc123.eu-west-1.rds.amazonaws.com"),
        ("BIND", "0.0.0.0:8080"),
        ("GREETING", "hello world"),
    ]);
    assert_eq!(
        topic_of(&values).as_deref(),
        Some("arn:aws:sns:eu-west-1:123456789012:events")
    );
    assert_eq!(table_of(&values).as_deref(), Some("idem"));
    assert_eq!(
        hosts_in(&values),
        [
            "orders.abc123.eu-west-1.rds.amazonaws.com",
            "replica.abc123.eu-west-1.rds.amazonaws.com"
        ]
    );
}

#[test]
fn elb_dimensions_are_the_arn_tails() {
    assert_eq!(
        elb_dimension("arn:aws:elasticloadbalancing:r:1:targetgroup/t/abc"),
        Some("targetgroup/t/abc")
    );
    assert_eq!(
        elb_dimension("arn:aws:elasticloadbalancing:r:1:loadbalancer/app/l/abc"),
        Some("app/l/abc")
    );
}

fn alarm(name: &str, dims: &[(&str, &str)]) -> AlarmFacts {
    AlarmFacts {
        name: name.into(),
        dimensions: env(dims),
        rule: None,
    }
}

#[test]
fn the_stacks_alarms_are_matched_by_their_dimensions() {
    let wanted = Wanted {
        cluster: "c".into(),
        service: "api".into(),
        queues: vec!["work".into(), "work-dlq".into()],
        db_instance: Some("db".into()),
        target_group: Some("targetgroup/t/1".into()),
        load_balancer: Some("app/l/1".into()),
    };
    let alarms = [
        alarm("cpu", &[("ClusterName", "c"), ("ServiceName", "api")]),
        alarm(
            "other-cluster",
            &[("ClusterName", "x"), ("ServiceName", "api")],
        ),
        alarm("cluster-cpu", &[("ClusterName", "c")]),
        alarm("depth", &[("QueueName", "work")]),
        alarm("dlq", &[("QueueName", "work-dlq")]),
        alarm("foreign-queue", &[("QueueName", "elsewhere")]),
        alarm("rds", &[("DBInstanceIdentifier", "db")]),
        alarm("5xx", &[("LoadBalancer", "app/l/1"), ("TargetGroup", "x")]),
        alarm("unhealthy", &[("TargetGroup", "targetgroup/t/1")]),
        AlarmFacts {
            name: "page".into(),
            dimensions: Vec::new(),
            rule: Some("ALARM(\"depth\") OR ALARM(\"nope\")".into()),
        },
        AlarmFacts {
            name: "unrelated-composite".into(),
            dimensions: Vec::new(),
            rule: Some("ALARM(\"foreign-queue\")".into()),
        },
    ];
    assert_eq!(
        stack_alarms(&alarms, &wanted, &["deploy-gate".into()]),
        [
            "5xx",
            "cluster-cpu",
            "cpu",
            "deploy-gate",
            "depth",
            "dlq",
            "page",
            "rds",
            "unhealthy"
        ]
    );
}

#[test]
fn the_database_is_taken_from_the_alarms_named_after_the_stack() {
    let wanted = Wanted {
        cluster: "orders-cluster".into(),
        service: "orders-api".into(),
        ..Wanted::default()
    };
    let alarms = [
        alarm("orders-rds-cpu", &[("DBInstanceIdentifier", "orders-db")]),
        alarm("billing-rds-cpu", &[("DBInstanceIdentifier", "billing-db")]),
    ];
    assert_eq!(
        db_from_alarms(&alarms, &wanted).as_deref(),
        Some("orders-db")
    );
    let two = [
        alarm("orders-a", &[("DBInstanceIdentifier", "a")]),
        alarm("orders-b", &[("DBInstanceIdentifier", "b")]),
    ];
    assert_eq!(db_from_alarms(&two, &wanted), None);
}
