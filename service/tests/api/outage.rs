//! PostgreSQL restarted under load: requests fail with 503 during the outage (never 500, never a
//! hang), recover after, and every acknowledged message is kept (and delivered).

use crate::helpers::{eventually, message_json, spawn_app_with, try_send};
use courier::config::Role;
use devstack::testenv::TestEnv;
use hyper::http::{Method, StatusCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the load saw: (status or transport error, id when accepted).
type Seen = Arc<Mutex<Vec<(Result<u16, String>, Option<i64>)>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restart_gives_503_and_loses_nothing() {
    // An environment of its own: its PostgreSQL is stopped and started.
    let env = Arc::new(
        tokio::task::spawn_blocking(TestEnv::start)
            .await
            .unwrap()
            .expect("own test environment"),
    );
    let app = spawn_app_with(&env, Role::All, &[]).await;
    let seen: Seen = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for n in 0..2 {
        let (seen, stop, url) = (seen.clone(), stop.clone(), app.url("/messages"));
        load.spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let body = message_json("outage", &format!("loader {n} message {i}"));
                let answer = try_send(
                    Method::POST,
                    &url,
                    &[("content-type", "application/json")],
                    body.into_bytes(),
                )
                .await;
                let entry = match answer {
                    Ok(a) if a.status == StatusCode::ACCEPTED => (Ok(202), a.json()["id"].as_i64()),
                    Ok(a) => {
                        a.error();
                        (Ok(a.status.as_u16()), None)
                    }
                    Err(e) => (Err(e), None),
                };
                seen.lock().unwrap().push(entry);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    let accepted = |seen: &Seen| {
        seen.lock()
            .unwrap()
            .iter()
            .filter(|e| e.0 == Ok(202))
            .count()
    };
    eventually("load running", Duration::from_secs(30), || async {
        (accepted(&seen) >= 30).then_some(())
    })
    .await;

    let stopping = env.clone();
    tokio::task::spawn_blocking(move || stopping.stop_postgres())
        .await
        .unwrap();
    eventually(
        "503 from /readyz and POST during the outage",
        Duration::from_secs(30),
        || async {
            let ready = app.get("/readyz").await;
            let post = app.post(&message_json("outage", "during"), None).await;
            (ready.status == StatusCode::SERVICE_UNAVAILABLE
                && post.status == StatusCode::SERVICE_UNAVAILABLE
                && post.error() == "service_unavailable")
                .then_some(())
        },
    )
    .await;
    let before_restart = accepted(&seen);

    let starting = env.clone();
    tokio::task::spawn_blocking(move || starting.start_postgres())
        .await
        .unwrap()
        .expect("PostgreSQL starts again");
    eventually("ready again", Duration::from_secs(60), || async {
        (app.get("/readyz").await.status == StatusCode::OK).then_some(())
    })
    .await;
    eventually(
        "the load is accepted again",
        Duration::from_secs(60),
        || async { (accepted(&seen) >= before_restart + 30).then_some(()) },
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    while load.join_next().await.is_some() {}

    let seen = seen.lock().unwrap().clone();
    let unavailable = seen.iter().filter(|e| e.0 == Ok(503)).count();
    let others: Vec<_> = seen
        .iter()
        .filter(|e| e.0 != Ok(202) && e.0 != Ok(503))
        .collect();
    assert!(
        others.is_empty(),
        "answers other than 202 and 503: {others:?}"
    );
    let acked: Vec<i64> = seen.iter().filter_map(|e| e.1).collect();
    let pool = app.pool.clone();
    let expected = acked.clone();
    eventually(
        "every acknowledged message delivered",
        Duration::from_secs(90),
        || async {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT count(*) FROM messages WHERE id = ANY($1) AND status = 'delivered'",
            )
            .bind(&expected)
            .fetch_one(&pool)
            .await
            .ok()?;
            (n == expected.len() as i64).then_some(())
        },
    )
    .await;
    eprintln!(
        "outage: {} accepted, {unavailable} answered 503 by the load",
        acked.len()
    );
    app.stop().await;
}
