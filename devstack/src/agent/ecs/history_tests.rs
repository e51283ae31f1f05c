use super::*;

fn deployment(n: u32, status: Status) -> ServiceDeployment {
    let service = "arn:aws:ecs:us-east-1:123456789012:service/c/s";
    ServiceDeployment {
        arn: arn_of(service, "service-deployment", &n.to_string()),
        deployment: format!("ecs-svc/{n}"),
        rollback_deployment: None,
        target: Revision {
            arn: arn_of(service, "service-revision", &n.to_string()),
            task_definition: format!("td:{n}"),
            created_at: f64::from(n),
        },
        sources: Vec::new(),
        status,
        status_reason: String::new(),
        created_at: f64::from(n),
        updated_at: f64::from(n),
        finished_at: None,
        stopped_at: None,
        rollback: None,
        trip: None,
        failed_tasks: 0,
    }
}

#[test]
fn arns_are_ecs_shaped() {
    let service = "arn:aws:ecs:us-east-1:123456789012:service/c/s";
    assert_eq!(
        arn_of(service, "service-deployment", "7"),
        "arn:aws:ecs:us-east-1:123456789012:service-deployment/c/s/7"
    );
    assert_eq!(
        cluster_arn(service),
        "arn:aws:ecs:us-east-1:123456789012:cluster/c"
    );
}

#[test]
fn pages_filter_by_status_and_creation_and_carry_a_token() {
    let history: Vec<_> = (1..=5)
        .rev()
        .map(|n| {
            deployment(
                n,
                if n == 5 {
                    Status::InProgress
                } else {
                    Status::Successful
                },
            )
        })
        .collect();
    let query = Query {
        max_results: Some(2),
        ..Query::default()
    };
    let (first, next) = page(&history, &query).unwrap();
    assert_eq!(
        first.iter().map(|d| d.created_at).collect::<Vec<_>>(),
        [5.0, 4.0]
    );
    let query = Query {
        next_token: next,
        max_results: Some(2),
        ..Query::default()
    };
    let (second, next) = page(&history, &query).unwrap();
    assert_eq!(
        second.iter().map(|d| d.created_at).collect::<Vec<_>>(),
        [3.0, 2.0]
    );
    let (last, none) = page(
        &history,
        &Query {
            next_token: next,
            ..Query::default()
        },
    )
    .unwrap();
    assert_eq!((last.len(), none), (1, None));

    let query = Query {
        statuses: vec!["IN_PROGRESS".into()],
        ..Query::default()
    };
    assert_eq!(page(&history, &query).unwrap().0.len(), 1);
    let query = Query {
        created_after: Some(2.0),
        created_before: Some(3.0),
        ..Query::default()
    };
    assert_eq!(page(&history, &query).unwrap().0.len(), 2);
    let bad = Query {
        next_token: Some("x".into()),
        ..Query::default()
    };
    assert!(page(&history, &bad).is_err());
    assert!(page(
        &history,
        &Query {
            max_results: Some(0),
            ..Query::default()
        }
    )
    .is_err());
}

#[test]
fn a_rollback_names_its_source_and_what_tripped() {
    let mut d = deployment(2, Status::InProgress);
    d.sources = vec![deployment(1, Status::Successful).target];
    d.failed_tasks = 2;
    d.roll_back(
        "ecs-svc/3",
        "td:1",
        "tasks failed",
        Trip::CircuitBreaker,
        10.0,
    );
    let monitors = Monitors {
        circuit_breaker: true,
        threshold: 3,
        alarms: vec!["a".into()],
        desired: 1,
    };
    let json = d.describe(
        "arn:aws:ecs:us-east-1:123456789012:service/c/s",
        &monitors,
        &Value::Null,
    );
    assert_eq!(json["status"], "ROLLBACK_IN_PROGRESS");
    assert_eq!(json["deploymentCircuitBreaker"]["status"], "TRIGGERED");
    assert_eq!(json["deploymentCircuitBreaker"]["failureCount"], 2);
    assert_eq!(json["alarms"]["status"], "MONITORING_COMPLETE");
    assert_eq!(
        json["rollback"]["serviceRevisionArn"],
        d.sources[0].arn.as_str()
    );
    assert_eq!(
        json["sourceServiceRevisions"][0]["arn"],
        d.sources[0].arn.as_str()
    );
    d.end(Status::RollbackSuccessful, "done", 12.0);
    assert_eq!(d.finished_at, Some(12.0));
    assert_eq!(
        d.brief("arn:aws:ecs:r:1:service/c/s")["status"],
        "ROLLBACK_SUCCESSFUL"
    );
}
