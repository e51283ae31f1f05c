//! The loss check, in the spirit of Jepsen's total-queue: messages are sent while relay and
//! worker processes are killed (SIGKILL) and restarted; every acknowledged message must end
//! `delivered`, once, and nothing may be left in the outbox or dead-lettered.

use crate::helpers::{create_resources, environment, eventually, message_json, start_in_process};
use courier::config::Role;
use devstack::testenv::{unique_name, TestEnv};
use hyper::http::StatusCode;
use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

const ROUNDS: usize = 8;
const PER_ROUND: usize = 30;
const SENDERS: usize = 6;

fn spawn_courier(role: &str, vars: &HashMap<String, String>) -> Child {
    Command::new(env!("CARGO_BIN_EXE_courier"))
        .args(["--role", role])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(vars)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn courier")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_relays_and_workers_lose_nothing() {
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    // Short visibility so that what a killed worker held comes back soon; many receives allowed
    // so that repeated kills cannot dead-letter a good message.
    let resources = create_resources(&sdk, 2, 50).await;
    let db_url = env.create_database(&unique_name("courier")).await.unwrap();
    // The API in process without its relay: relays and workers are separate processes here.
    let app = start_in_process(
        env,
        &sdk,
        Role::Api,
        &db_url,
        resources.clone(),
        &[("COURIER_RELAY", "off")],
    )
    .await;
    let vars = environment(&env.aws_endpoint(), &db_url, &resources, &[]);
    let roles = ["relay", "worker", "relay", "worker"];
    let mut processes: Vec<Child> = roles.iter().map(|r| spawn_courier(r, &vars)).collect();

    let mut acked: Vec<i64> = Vec::new();
    let mut kills = 0;
    for round in 0..ROUNDS {
        let mut senders = tokio::task::JoinSet::new();
        for s in 0..SENDERS {
            let url = app.url("/messages");
            senders.spawn(async move {
                let mut ids = Vec::new();
                for i in 0..PER_ROUND / SENDERS {
                    let body = message_json("loss", &format!("round {round} sender {s} n {i}"));
                    let a = crate::helpers::send(
                        hyper::http::Method::POST,
                        &url,
                        &[("content-type", "application/json")],
                        body.into_bytes(),
                    )
                    .await;
                    assert_eq!(a.status, StatusCode::ACCEPTED, "{:?}", a.body);
                    ids.push(a.json()["id"].as_i64().unwrap());
                }
                ids
            });
        }
        // Kill one relay or worker while this round's messages are in flight, then restart it.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let victim = round % roles.len();
        processes[victim].start_kill().expect("SIGKILL");
        let status = processes[victim].wait().await.expect("wait");
        assert!(!status.success(), "the process was killed, not stopped");
        kills += 1;
        while let Some(ids) = senders.join_next().await {
            acked.extend(ids.unwrap());
        }
        processes[victim] = spawn_courier(roles[victim], &vars);
    }
    assert_eq!(kills, ROUNDS);
    assert_eq!(acked.len(), ROUNDS * PER_ROUND);

    let pool = app.pool.clone();
    let expected = acked.len() as i64;
    eventually(
        "every acknowledged message delivered",
        Duration::from_secs(120),
        || async {
            let (delivered,): (i64,) =
                sqlx::query_as("SELECT count(*) FROM messages WHERE status = 'delivered'")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            (delivered == expected).then_some(())
        },
    )
    .await;

    let rows: Vec<(i64, String, Option<String>, i32)> =
        sqlx::query_as("SELECT id, status, delivered_at::text, receipts FROM messages ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let stored: HashSet<i64> = rows.iter().map(|r| r.0).collect();
    let acked_set: HashSet<i64> = acked.iter().copied().collect();
    assert_eq!(acked_set.len(), acked.len(), "an id was acknowledged twice");
    assert_eq!(
        stored, acked_set,
        "stored messages differ from acknowledged ones"
    );
    for (id, status, delivered_at, receipts) in &rows {
        assert_eq!(status, "delivered", "message {id}");
        assert!(delivered_at.is_some(), "message {id}");
        assert!(*receipts >= 1, "message {id} delivered without a receipt");
    }
    let (outbox,): (i64,) = sqlx::query_as("SELECT count(*) FROM outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(outbox, 0, "outbox rows left");
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let dead = sqs
        .receive_message()
        .queue_url(&resources.dlq_url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    assert!(
        dead.messages().is_empty(),
        "good messages were dead-lettered"
    );
    let duplicates: i64 = rows.iter().map(|r| i64::from(r.3) - 1).sum();
    eprintln!(
        "loss check: {} messages, {kills} kills, {duplicates} duplicate receipts absorbed",
        rows.len()
    );
    for mut p in processes {
        let _ = p.start_kill();
        let _ = p.wait().await;
    }
    app.stop().await;
}
