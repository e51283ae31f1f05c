//! The stall-worker drill of the README, end to end (#16): courier processes as the ECS tasks
//! behind the devstack agent, steady traffic, then revision 2 — courier without its worker — is
//! deployed. `stackdeck status` warns before the depth alarm goes to ALARM; after `stackdeck
//! rollback`, `stackdeck timeline` lists the revision-2 deployment, the warning, the ALARM, the
//! rollback and its completion, in that order. Shortened: the alarm needs 5 periods (of 60 s),
//! the warning 1 minute of growth with nothing consumed (the README's alarm needs 10, the
//! warning's default is 3).

use super::kit::text;
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
use devstack::testenv::{unique_name, TestEnv};
use devstack::testkit::agent::{Agent, Options};
use devstack::testkit::stack::{Revision, StackBuilder};
use devstack::testkit::{eventually, first_task_port};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// The drill's stackdeck: the agent's endpoint, a config with the shortened warning, its own
/// audit log.
struct Deck {
    endpoint: String,
    stack: String,
    work: tempfile::TempDir,
}

impl Deck {
    fn run(&self, args: &[&str]) -> Output {
        super::kit::stackdeck(&self.endpoint)
            .args(["--stack", &self.stack, "--config"])
            .arg(self.work.path().join("config.toml"))
            .args(args)
            .env("XDG_STATE_HOME", self.work.path().join("state"))
            .stdin(Stdio::null())
            .output()
            .expect("run stackdeck")
    }

    /// `stackdeck status --format json`: the warnings' codes and the depth alarm's state.
    fn status(&self) -> (Vec<String>, String, serde_json::Value) {
        let out = self.run(&["status", "--format", "json"]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("status JSON: {e}\n{}", text(&out)));
        let codes = json["warnings"]
            .as_array()
            .map(|w| {
                w.iter()
                    .filter_map(|w| w["code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let alarm = json["snapshot"]["alarms"]["Ok"]
            .as_array()
            .and_then(|a| {
                a.iter().find(|a| {
                    a["name"]
                        .as_str()
                        .is_some_and(|n| n.ends_with("queue-depth"))
                })
            })
            .and_then(|a| a["state"].as_str())
            .unwrap_or("missing")
            .to_owned();
        (codes, alarm, json)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stall_worker_drill_warns_before_the_alarm_and_the_timeline_tells_it_in_order() {
    let bin = tokio::task::spawn_blocking(|| {
        devstack::testkit::courier::binary(std::path::Path::new(env!("CARGO_BIN_EXE_stackdeck")))
    })
    .await
    .unwrap();
    // Its own moto: the depth alarm's metric is this test's queue's alone.
    let env = tokio::task::spawn_blocking(TestEnv::start)
        .await
        .unwrap()
        .expect("start moto and PostgreSQL");
    env.create_database(devstack::COURIER_DB).await.unwrap();
    let name = unique_name("drill");
    let courier_env =
        devstack::testkit::courier::task_environment(&env.sdk_config().await, &name).await;
    let queue_url = courier_env
        .iter()
        .find(|(k, _)| *k == "COURIER_QUEUE_URL")
        .map(|(_, v)| v.clone())
        .unwrap();
    let revision = |role: &str| {
        courier_env
            .iter()
            .fold(Revision::image("courier:local").memory(256), |r, (k, v)| {
                r.env(k, v)
            })
            .env("COURIER_ROLE", role)
    };

    let builder = StackBuilder::new("drill");
    let task_port = first_task_port();
    let options = Options {
        metrics_interval: Duration::from_secs(2),
        evaluation_interval: Duration::from_secs(2),
        first_task_port: task_port,
        courier_bin: bin,
        postgres: true,
        lb: true,
        ..Options::stack(builder.name())
    };
    let agent = Agent::start(&env, options).await;
    let sdk = agent.sdk().await;
    let stack = builder
        .revision(revision("all"))
        .service(1)
        .circuit_breaker()
        .build(&sdk)
        .await
        .unwrap();
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let (dlq_url, _) = devstack::testkit::stack::create_queue(&sqs, &format!("{name}-dlq"), &[])
        .await
        .unwrap();
    stack
        .publish([("queue_url", &queue_url), ("dlq_url", &dlq_url)])
        .await;
    let queue_name = queue_url.rsplit('/').next().unwrap();
    aws_sdk_cloudwatch::Client::new(&sdk)
        .put_metric_alarm()
        .alarm_name(format!("{}queue-depth", stack.alarm_prefix))
        .namespace("AWS/SQS")
        .metric_name("ApproximateNumberOfMessagesVisible")
        .dimensions(
            Dimension::builder()
                .name("QueueName")
                .value(queue_name)
                .build(),
        )
        .statistic(Statistic::Maximum)
        .period(60)
        .evaluation_periods(5)
        .threshold(20.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("config.toml"),
        // The age rule off: whether it fires too within the drill's minutes is a matter of timing.
        "[warnings]\nnot_consumed_minutes = 1\nage_rising_minutes = 600\n",
    )
    .unwrap();
    let deck = Deck {
        endpoint: agent.endpoint(),
        stack: stack.name.clone(),
        work,
    };

    // Revision 1 (API and worker) serves steady traffic; the worker keeps the queue empty.
    stack.wait_completed(Duration::from_secs(90)).await;
    let traffic = devstack::traffic::Traffic {
        // Through the local load balancer, as `devstack traffic` sends (COURIER_URL).
        url: agent.lb_url(),
        rate: 5,
        burst: 0,
        duration: None,
    };
    let sending = tokio::spawn(async move {
        let _ = traffic.run(devstack::traffic::Profile::Steady).await;
    });
    eventually(Duration::from_secs(90), "messages consumed", || async {
        let (codes, alarm, json) = deck.status();
        let visible = json["snapshot"]["queue"]["Ok"]["visible"]
            .as_i64()
            .unwrap_or(-1);
        if codes.is_empty() && alarm == "OK" && (0..5).contains(&visible) {
            Ok(())
        } else {
            Err(format!(
                "warnings {codes:?}, alarm {alarm}, {visible} visible: {json}"
            ))
        }
    })
    .await;
    // The deployment's guard, kept by the agent as ECS keeps it (moto drops it), in the status.
    let (_, _, json) = deck.status();
    let breaker = &json["snapshot"]["service"]["Ok"]["guards"]["circuit_breaker"];
    assert_eq!(
        (breaker["enable"].as_bool(), breaker["rollback"].as_bool()),
        (Some(true), Some(true)),
        "{json}"
    );

    // Revision 2, courier without its worker, deployed as a pipeline would.
    let td = stack.register(&revision("api")).await;
    aws_sdk_ecs::Client::new(&sdk)
        .update_service()
        .cluster(&stack.cluster)
        .service(&stack.service)
        .task_definition(&td)
        .send()
        .await
        .unwrap();
    // The status a script polls: the warning first, the alarm later (seen by the same loop).
    let stalled = Instant::now();
    let mut warned = None;
    let alarmed = loop {
        let (codes, alarm, json) = deck.status();
        if warned.is_none() && codes.iter().any(|c| c == "queue_not_consumed") {
            warned = Some(stalled.elapsed());
        }
        if alarm == "ALARM" {
            break stalled.elapsed();
        }
        assert!(
            stalled.elapsed() < Duration::from_secs(420),
            "no ALARM after 7 min: {json:#}"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
    };
    let warned = warned.expect("a queue_not_consumed warning before the ALARM");
    assert!(
        warned < alarmed,
        "warned after {warned:?}, ALARM after {alarmed:?}"
    );

    // The on-call engineer rolls back to revision 1 and waits for it.
    let out = deck.run(&["rollback", "--to", "1", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    stack.wait_completed(Duration::from_secs(120)).await;
    sending.abort();

    let out = deck.run(&["timeline", "--since", "30m", "--format", "markdown"]);
    assert!(out.status.success(), "{}", text(&out));
    let markdown = String::from_utf8(out.stdout).unwrap();
    let rows = rows(&markdown);
    let revision_2 = format!("{}:2 ", stack.family);
    let revision_1 = format!("{}:1 ", stack.family);
    // The rollback's audit line and its deployment's start fall in the same second (the line is
    // written once UpdateService answered): either order is the truth.
    let order: [(&str, Is); 5] = [
        ("the revision-2 deployment", &|r| {
            r.kind == "deploy started" && r.title.starts_with(&revision_2)
        }),
        ("the warning", &|r| {
            r.kind == "warning" && r.title.contains("nothing consumed")
        }),
        ("the ALARM", &|r| {
            r.kind == "alarm → ALARM" && r.title.contains("queue-depth")
        }),
        ("the rollback", &|r| {
            r.kind == "operator" && r.title.starts_with("rollback")
        }),
        ("its completion", &|r| {
            r.kind == "deploy completed" && r.title.starts_with(&revision_1)
        }),
    ];
    // Each step at or after the previous one's second: the timeline orders a tie by kind, and
    // the agent now completes the rollback within the second of its audit line.
    let mut story: Vec<&Row> = Vec::new();
    for (what, is) in order {
        let from = story.last().map_or(0, |prev| {
            rows.iter()
                .position(|r| r.time == prev.time)
                .expect("a row of the story")
        });
        let found = rows[from..]
            .iter()
            .find(|r| is(r) && !story.iter().any(|s| std::ptr::eq(*s, *r)))
            .unwrap_or_else(|| panic!("no {what} from row {from} of:\n{markdown}"));
        story.push(found);
    }
    // By time, not by row: a rollback made at once after the ALARM starts its deployment in the
    // same second, and the timeline orders a tie by kind.
    let alarm = rows.iter().find(|r| r.kind == "alarm → ALARM").unwrap();
    assert!(
        rows.iter().any(|r| r.kind == "deploy started"
            && r.title.starts_with(&revision_1)
            && r.time >= alarm.time),
        "the rollback's deployment after the ALARM:\n{markdown}"
    );
    // The story's rows as the export writes them (which other rows come between — service
    // events, task stops, the alarm's return to OK — depends on timing).
    insta::assert_snapshot!("drill_timeline", redact(&story, &stack.name));
}

/// Which row a step of the story is.
type Is<'a> = &'a dyn Fn(&Row) -> bool;

/// One row of the Markdown table: its kind and its title (the bold first line of "what").
struct Row {
    /// `2026-12-04 20:41:01Z`: to the second.
    time: String,
    kind: String,
    title: String,
}

fn rows(markdown: &str) -> Vec<Row> {
    markdown
        .lines()
        .filter(|l| l.starts_with("| 2"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            let what = cells.get(3)?;
            let title = what.strip_prefix("**")?.split("**").next()?.to_owned();
            Some(Row {
                time: cells[0].trim_start_matches("| ").to_owned(),
                kind: cells[2].to_owned(),
                title,
            })
        })
        .collect()
}

/// The rows' kinds and titles with what changes from run to run (the stack's unique name,
/// deployment ids, numbers) replaced.
fn redact(rows: &[&Row], name: &str) -> String {
    rows.iter()
        .map(|r| {
            let title = r.title.replace(name, "STACK");
            let title: String = title
                .split(' ')
                .map(|w| {
                    if w.starts_with("ecs-svc/") {
                        format!("ecs-svc/ID{}", if w.ends_with(')') { ")" } else { "" })
                    } else if w.chars().any(|c| c.is_ascii_digit()) && !w.contains(':') {
                        "N".to_owned()
                    } else {
                        w.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
            format!("{:<18} {title}", r.kind)
        })
        .collect::<Vec<_>>()
        .join("\n")
}
