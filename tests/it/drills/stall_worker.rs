//! The stall-worker drill of the README, end to end (#16): courier processes as the ECS tasks
//! behind the devstack agent, steady traffic, then `devstack drill stall-worker` deploys
//! revision 2 — courier without its worker. `stackdeck status` warns before the depth alarm goes
//! to ALARM; after `stackdeck rollback`, `stackdeck timeline` lists the revision-2 deployment, the
//! warning, the ALARM, the rollback and its completion, in that order. Shortened: the alarm needs
//! 5 periods (of 60 s), the warning 1 minute of growth with nothing consumed (the README's alarm
//! needs 10, the warning's default is 3). Recovery: the queue drained and the alarm back to OK.

use super::{DrillStack, Metric, Setup};
use crate::kit::text;
use aws_sdk_cloudwatch::types::Statistic;
use devstack::drill::Name;
use devstack::testkit::eventually;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn the_stall_worker_drill_warns_before_the_alarm_and_the_timeline_tells_it_in_order() {
    let deck = DrillStack::start(
        "drill",
        Setup {
            // The age rule off: whether it fires too within the drill's minutes is a matter of
            // timing.
            config: "[warnings]\nnot_consumed_minutes = 1\nage_rising_minutes = 600\n",
            ..Setup::default()
        },
    )
    .await;
    let stack = &deck.stack;
    let queue_name = deck.queue_url.rsplit('/').next().unwrap().to_owned();
    let depth = Metric {
        namespace: "AWS/SQS",
        name: "ApproximateNumberOfMessagesVisible",
        dimension: ("QueueName", &queue_name),
        statistic: Statistic::Maximum,
    };
    deck.alarm("queue-depth", depth, 5, 20.0).await;

    // Revision 1 (API and worker) serves steady traffic; the worker keeps the queue empty.
    // Through the local load balancer, as `devstack traffic` sends (COURIER_URL).
    let target = deck.target(None).await;
    let sending = tokio::spawn(async move {
        let _ = target.traffic().await;
    });
    eventually(Duration::from_secs(90), "messages consumed", || async {
        let status = deck.status();
        let (codes, alarm) = (status.warnings(), status.alarm("queue-depth"));
        let visible = status.queue("visible");
        if codes.is_empty() && alarm == "OK" && (0..5).contains(&visible) {
            Ok(())
        } else {
            Err(format!(
                "warnings {codes:?}, alarm {alarm}, {visible} visible: {}",
                status.json
            ))
        }
    })
    .await;
    sending.abort();
    // The deployment's guard, kept by the agent as ECS keeps it (moto drops it), in the status.
    let json = deck.status().json;
    let breaker = &json["snapshot"]["service"]["Ok"]["guards"]["circuit_breaker"];
    assert_eq!(
        (breaker["enable"].as_bool(), breaker["rollback"].as_bool()),
        (Some(true), Some(true)),
        "{json}"
    );

    // The drill: revision 2, courier without its worker, deployed as a pipeline would, and
    // steady traffic.
    let target = deck.target(None).await;
    let drill = tokio::spawn(async move { devstack::drill::run(Name::StallWorker, &target).await });
    // The status a script polls: the warning first, the alarm later (seen by the same loop).
    let stalled = Instant::now();
    let mut warned = None;
    let alarmed = loop {
        let status = deck.status();
        let (codes, alarm, json) = (status.warnings(), status.alarm("queue-depth"), status.json);
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
    let rolled_back = Instant::now();
    let out = deck.run(&["rollback", "--to", "1", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    stack.wait_completed(Duration::from_secs(120)).await;
    // Recovery with the drill's traffic still on: the worker drains the queue and the alarm
    // returns to OK on its own (the README's figure: the time from the rollback).
    eventually(
        Duration::from_secs(300),
        "the queue drained, the alarm OK",
        || async {
            let status = deck.status();
            let (alarm, visible) = (status.alarm("queue-depth"), status.queue("visible"));
            if alarm == "OK" && (0..5).contains(&visible) {
                Ok(())
            } else {
                Err(format!("alarm {alarm}, {visible} visible"))
            }
        },
    )
    .await;
    println!(
        "stall-worker: rollback to depth alarm OK in {} s",
        rolled_back.elapsed().as_secs()
    );
    assert!(
        !drill.is_finished(),
        "the drill's traffic runs until stopped"
    );
    drill.abort();

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
