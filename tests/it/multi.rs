//! A stack of two services (an api and a worker) and two queues, each with its DLQ, named in the
//! config file as `service`/`service_2` and `queue_url`/`queue_url_2`: `status` reads and lists
//! them all, and a DLQ of the second queue degrades the verdict; `purge --queue` acts on one; in
//! the dashboard a purge asks which queue first.

use super::kit::stackdeck;
use devstack::testenv::TestEnv;
use devstack::testkit::command::shell_line;
use devstack::testkit::parts::register;
use devstack::testkit::stack::{Revision, Stack, StackBuilder};
use devstack::testkit::tmux::Tmux;

/// The stack: the api (`service`) and a worker (`service_2`); the work queue and an events
/// queue (`queue_url_2`), each with its DLQ; one message dead in the events DLQ.
struct Multi {
    stack: Stack,
    /// The events queue and its DLQ.
    urls: Vec<String>,
    work: tempfile::TempDir,
    config: std::path::PathBuf,
}

async fn multi_stack(env: &TestEnv) -> Multi {
    let sdk = env.sdk_config().await;
    let stack = StackBuilder::new("multi")
        .revision(Revision::image("api:1"))
        .service(0)
        .redrive(3)
        .build(&sdk)
        .await
        .expect("build the stack");
    let name = &stack.name;
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let worker_definition = register(&ecs, &format!("{name}-worker"), &Revision::image("w:1"))
        .await
        .expect("RegisterTaskDefinition");
    ecs.create_service()
        .cluster(&stack.cluster)
        .service_name(format!("{name}-worker"))
        .task_definition(&worker_definition)
        .desired_count(0)
        .send()
        .await
        .expect("CreateService");
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let mut urls = Vec::new();
    for queue in [format!("{name}-events"), format!("{name}-events-dlq")] {
        let made = sqs.create_queue().queue_name(queue).send().await.unwrap();
        urls.push(made.queue_url().unwrap().to_owned());
    }
    sqs.send_message()
        .queue_url(&urls[1])
        .message_body("dead")
        .send()
        .await
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[stacks.{name}.resources]\ncluster = \"{}\"\nservice = \"{}\"\nservice_2 = \"{name}-worker\"\n\
             queue_url = \"{}\"\ndlq_url = \"{}\"\nqueue_url_2 = \"{}\"\ndlq_url_2 = \"{}\"\n\
             alarm_prefix = \"{name}-\"\n",
            stack.cluster, stack.service, stack.queue_url, stack.dlq_url, urls[0], urls[1]
        ),
    )
    .unwrap();
    Multi {
        stack,
        urls,
        work,
        config,
    }
}

/// The queue's ApproximateNumberOfMessages.
async fn depth(sqs: &aws_sdk_sqs::Client, url: &str) -> Option<String> {
    use aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages as Depth;
    let got = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(Depth)
        .send()
        .await
        .unwrap();
    got.attributes().and_then(|a| a.get(&Depth)).cloned()
}

#[tokio::test]
async fn status_lists_every_service_and_queue() {
    let env = TestEnv::shared().await;
    let sqs = aws_sdk_sqs::Client::new(&env.sdk_config().await);
    let Multi {
        stack,
        urls,
        work,
        config,
    } = multi_stack(env).await;
    let name = &stack.name;
    let run = |format: &str| {
        stackdeck(&env.aws_endpoint())
            .args(["--config", config.to_str().unwrap(), "--stack", name])
            .args(["status", "--format", format])
            .output()
            .expect("run stackdeck")
    };
    let out = run("json");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("status: {}", String::from_utf8_lossy(&out.stderr)));
    let snapshot = &json["snapshot"];
    let services: Vec<&str> = snapshot["services"]
        .as_array()
        .unwrap_or_else(|| panic!("{json}"))
        .iter()
        .filter_map(|s| s["Ok"]["service"].as_str())
        .collect();
    assert_eq!(services, [stack.service.clone(), format!("{name}-worker")]);
    let queues: Vec<(&str, &str, i64)> = snapshot["queues"]
        .as_array()
        .unwrap_or_else(|| panic!("{json}"))
        .iter()
        .map(|q| {
            let q = &q["Ok"];
            (
                q["name"].as_str().unwrap_or_default(),
                q["dlq_name"].as_str().unwrap_or_default(),
                q["dlq_visible"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    let (events, events_dlq) = (format!("{name}-events"), format!("{name}-events-dlq"));
    assert_eq!(
        queues,
        [
            (
                format!("{name}-work").as_str(),
                format!("{name}-dlq").as_str(),
                0
            ),
            (events.as_str(), events_dlq.as_str(), 1),
        ],
        "{json}"
    );
    assert_eq!(snapshot["service"]["Ok"]["service"], stack.service.as_str());
    assert_eq!(
        json["verdict"]["Degraded"][0],
        format!("dead-letter queue {events_dlq} holds 1 message(s)"),
        "{json}"
    );
    assert_eq!(out.status.code(), Some(1));
    // `purge --queue NAME --dlq` acts on that queue's DLQ alone; a name not the stack's is refused.
    let act = |args: &[&str]| {
        stackdeck(&env.aws_endpoint())
            .args(["--config", config.to_str().unwrap(), "--stack", name])
            .args(args)
            .env("XDG_STATE_HOME", work.path().join("state"))
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run stackdeck")
    };
    let wrong = act(&["purge", "--queue", "nope", "--dlq", "-y"]);
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(wrong.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "--queue nope: not a queue of stack {name} (its queues: {name}-work, {events})"
        )),
        "{stderr}"
    );
    let purged = act(&["purge", "--queue", &events, "--dlq", "-y"]);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&purged.stdout),
        String::from_utf8_lossy(&purged.stderr)
    );
    assert_eq!(purged.status.code(), Some(0), "{said}");
    assert!(said.contains(&events_dlq), "{said}");
    assert_eq!(
        depth(&sqs, &urls[1]).await.as_deref(),
        Some("0"),
        "its DLQ purged"
    );

    // The text lists them too, one line each.
    let text = String::from_utf8_lossy(&run("text").stdout).into_owned();
    assert!(
        text.contains(&format!("service    {name}-worker")),
        "{text}"
    );
    assert!(
        text.contains(&format!("queue      {events}: 0 visible")),
        "{text}"
    );
}

#[tokio::test]
async fn the_dashboard_asks_which_queue_to_purge() {
    let env = TestEnv::shared().await;
    let sqs = aws_sdk_sqs::Client::new(&env.sdk_config().await);
    let multi = multi_stack(env).await;
    let (name, events_dlq) = (&multi.stack.name, &multi.urls[1]);
    let mut cmd = stackdeck(&env.aws_endpoint());
    cmd.args(["--config", multi.config.to_str().unwrap(), "--stack", name])
        .env("XDG_STATE_HOME", multi.work.path().join("state"));
    let tmux = Tmux::start(&shell_line(&cmd), 120, 40);
    tmux.wait_for(&format!("{name}-events")).await;
    tmux.keys(&[":"]);
    tmux.keys(&["purge dlq"]);
    tmux.keys(&["Enter"]);
    let chooser = tmux.wait_for("which queue?").await;
    assert!(
        chooser.contains(&format!("▶ {name}-work · DLQ {name}-dlq")),
        "{chooser}"
    );
    tmux.keys(&["Down"]);
    tmux.keys(&["Enter"]);
    // The confirmation names the events DLQ, and wants its name typed.
    let dlq_name = format!("{name}-events-dlq");
    tmux.wait_for("type").await;
    tmux.keys(&[&dlq_name]);
    tmux.keys(&["Enter"]);
    devstack::testkit::eventually(
        std::time::Duration::from_secs(30),
        "the events DLQ to be purged",
        || async {
            match depth(&sqs, events_dlq).await.as_deref() {
                Some("0") => Ok(()),
                other => Err(format!("{other:?}\n{}", tmux.screen())),
            }
        },
    )
    .await;
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
}
