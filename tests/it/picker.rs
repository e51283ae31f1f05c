//! The start picker against moto: the listing sends every service of every cluster, with its
//! cluster, in DescribeServices answers of at most 10, within ⌈n/100⌉ + ⌈n/10⌉ + 2c + 1 calls
//! (c clusters); and `stackdeck` with no stack in tmux at 80×24: the rows narrow as a filter
//! is typed, and Enter on a stack opens its dashboard.

use super::kit::{stackdeck, CALLS};
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::command::shell_line;
use devstack::testkit::parts::register;
use devstack::testkit::stack::{Revision, StackBuilder};
use devstack::testkit::tmux::Tmux;
use futures_util::{stream, StreamExt, TryStreamExt};
use stackdeck::aws::ecs_list::EcsList;
use stackdeck::model::picker::ServiceRow;
use std::collections::{BTreeMap, BTreeSet};

/// Create `cluster` and `services` in it (desired count 0: no tasks), 16 at a time.
async fn create_services(ecs: &aws_sdk_ecs::Client, cluster: &str, services: &[String]) {
    ecs.create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .unwrap();
    let family = format!("{cluster}-task");
    let task_definition = register(ecs, &family, &Revision::image("courier:1"))
        .await
        .unwrap();
    stream::iter(services)
        .map(|service| {
            ecs.create_service()
                .cluster(cluster)
                .service_name(service)
                .task_definition(&task_definition)
                .desired_count(0)
                .send()
        })
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listing_sends_every_service_of_every_cluster_within_its_call_bound() {
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let prefix = unique_name("pick").replace('_', "-");
    let mut created = BTreeSet::new();
    for (cluster, n) in [("a", 150), ("b", 100), ("c", 50)] {
        let cluster = format!("{prefix}-{cluster}");
        let services: Vec<String> = (0..n).map(|i| format!("svc-{i:03}")).collect();
        create_services(&ecs, &cluster, &services).await;
        created.extend(services.into_iter().map(|s| (cluster.clone(), s)));
    }
    assert_eq!(created.len(), 300);

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let calls = {
        let _counting = CALLS.write().await;
        let before = stackdeck::aws::calls::sent();
        EcsList::new(&sdk, "test".into()).services(tx).await;
        stackdeck::aws::calls::sent() - before
    };
    let mut answers: Vec<Vec<ServiceRow>> = Vec::new();
    while let Some(listed) = rx.recv().await {
        answers.push(listed.expect("no call fails"));
    }
    assert!(
        answers
            .iter()
            .all(|rows| !rows.is_empty() && rows.len() <= 10),
        "DescribeServices answers of 1 to 10 services: {:?}",
        answers.iter().map(Vec::len).collect::<Vec<_>>()
    );
    let rows: Vec<ServiceRow> = answers.into_iter().flatten().collect();
    let listed: BTreeMap<(String, String), &ServiceRow> = rows
        .iter()
        .map(|r| ((r.cluster.clone(), r.service.clone()), r))
        .collect();
    assert_eq!(listed.len(), rows.len(), "each service once");
    for key in &created {
        let row = listed
            .get(key)
            .unwrap_or_else(|| panic!("{key:?} not listed"));
        assert_eq!(
            (row.status.as_str(), row.running, row.desired),
            ("ACTIVE", 0, 0),
            "{key:?}"
        );
    }

    // Other tests sharing this moto add clusters and services: the bound is of what was listed.
    let clusters = ecs
        .list_clusters()
        .send()
        .await
        .unwrap()
        .cluster_arns()
        .len() as u64;
    let n = rows.len() as u64;
    let bound = n.div_ceil(100) + n.div_ceil(10) + 2 * clusters + 1;
    eprintln!("{calls} calls for {n} services in {clusters} clusters (bound {bound})");
    assert!(
        calls <= bound,
        "{calls} calls for {n} services in {clusters} clusters (bound {bound})"
    );
    // And no fewer than one DescribeServices per 10 of ours: the batches are real.
    assert!(calls >= 1 + 3 + 30, "{calls} calls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stackdeck_with_no_stack_picks_one_by_a_typed_filter_and_opens_its_dashboard() {
    // A moto of its own: the screen then holds this test's stack and services alone, not the
    // hundreds of SSM parameters and services the other tests put in the shared one.
    let env = tokio::task::spawn_blocking(TestEnv::start)
        .await
        .unwrap()
        .expect("a test environment of its own");
    let env = &env;
    let sdk = env.sdk_config().await;
    let s = StackBuilder::new("pk")
        .revision(Revision::image("courier:1"))
        .service(0)
        .queues()
        .build(&sdk)
        .await
        .unwrap();
    let other = format!("{}-other", s.name);
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    create_services(&ecs, &other, &["alpha-worker".into(), "beta-api".into()]).await;

    let work = tempfile::tempdir().unwrap();
    let mut cmd = stackdeck(&env.aws_endpoint());
    cmd.env("XDG_STATE_HOME", work.path().join("state"))
        .env("XDG_CONFIG_HOME", work.path().join("config"));
    let tmux = Tmux::start(&shell_line(&cmd), 80, 24);
    tmux.wait_for("SSM stack").await;
    tmux.wait_until_gone("loading…").await;

    // The stack, its service, and the other cluster's two.
    tmux.keys(&["-l", s.name.as_str()]);
    let narrowed = tmux.wait_for(" 4 of ").await;
    for shown in ["SSM stack", s.service.as_str(), "alpha-worker", "beta-api"] {
        assert!(narrowed.contains(shown), "{shown} in\n{narrowed}");
    }
    // A second word matches the service while the first matched the cluster.
    tmux.keys(&["-l", " ALPHA"]);
    let one = tmux.wait_for(" 1 of ").await;
    assert!(one.contains("alpha-worker"), "{one}");
    assert!(
        !one.contains("beta-api") && !one.contains("SSM stack"),
        "{one}"
    );
    for _ in 0..6 {
        tmux.keys(&["BSpace"]);
    }
    tmux.wait_for(" 4 of ").await;

    // Stacks come first: Enter opens the stack's dashboard.
    tmux.keys(&["Enter"]);
    let dashboard = tmux.wait_for("? help").await;
    assert!(
        dashboard.contains(&format!("stackdeck · {}", s.name)),
        "{dashboard}"
    );
    tmux.wait_for(&s.service).await;
    tmux.keys(&["q"]);
    tmux.wait_until_gone("? help").await;
}
