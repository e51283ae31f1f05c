//! The whole dashboard in a real terminal (tmux) against moto: it shows the service and an
//! alarm's state, `?` opens the help, `q` quits and gives the terminal back; a redeploy
//! confirmed with keys shows its dialog, its result and the deployment completing.

mod common;

use aws_sdk_cloudwatch::types::{ComparisonOperator, StateValue, Statistic};
use devstack::testenv::{unique_name, TestEnv};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    /// A detached 120×40 session running `command`, kept on screen after it exits.
    fn start(command: &str) -> Tmux {
        static SESSIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let tmux = Tmux {
            socket: format!(
                "stackdeck-test-{}-{}",
                std::process::id(),
                SESSIONS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            ),
        };
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "deck",
            "-x",
            "120",
            "-y",
            "40",
            command,
        ]);
        tmux.run(&["set-option", "-t", "deck", "remain-on-exit", "on"]);
        tmux
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "deck"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "deck"])
    }

    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(what) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{what:?} never appeared on screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Tmux {
    fn wait_until_gone(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.screen().contains(what) {
            assert!(
                Instant::now() < deadline,
                "{what:?} stayed on screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

#[tokio::test]
async fn the_dashboard_shows_the_stack_opens_help_and_quits_cleanly() {
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let name = unique_name("tmux").replace('_', "-");
    let ecs = aws_sdk_ecs::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let cluster = format!("{name}-cluster");
    let service = format!("{name}-courier");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    ecs.register_task_definition()
        .family(&name)
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("courier")
                .image("courier:1")
                .memory(256)
                .build(),
        )
        .send()
        .await
        .unwrap();
    ecs.create_service()
        .cluster(&cluster)
        .service_name(&service)
        .task_definition(format!("{name}:1"))
        .desired_count(0)
        .send()
        .await
        .unwrap();
    let queue = sqs
        .create_queue()
        .queue_name(format!("{name}-work"))
        .send()
        .await
        .unwrap();
    let dlq = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .unwrap();
    let alarm = format!("{name}-queue-depth");
    cw.put_metric_alarm()
        .alarm_name(&alarm)
        .namespace("AWS/SQS")
        .metric_name("ApproximateNumberOfMessagesVisible")
        .statistic(Statistic::Maximum)
        .period(60)
        .evaluation_periods(10)
        .threshold(100.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
    cw.set_alarm_state()
        .alarm_name(&alarm)
        .state_value(StateValue::Alarm)
        .state_reason("test")
        .send()
        .await
        .unwrap();
    common::publish(
        &ssm,
        &name,
        [
            ("cluster", cluster.clone()),
            ("service", service.clone()),
            ("queue_url", queue.queue_url().unwrap().to_owned()),
            ("dlq_url", dlq.queue_url().unwrap().to_owned()),
            ("alarm_prefix", format!("{name}-")),
        ],
    )
    .await;

    let command = format!(
        "env AWS_ENDPOINT_URL={} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 {} --stack {name}",
        env.aws_endpoint(),
        env!("CARGO_BIN_EXE_stackdeck")
    );
    let tmux = Tmux::start(&command);

    let screen = tmux.wait_for(&service);
    assert!(screen.contains("ALARM"), "{screen}");
    assert!(screen.contains(&alarm), "{screen}");

    tmux.run(&["send-keys", "-t", "deck", "?"]);
    tmux.wait_for("refresh now");

    tmux.run(&["send-keys", "-t", "deck", "Escape"]);
    tmux.wait_until_gone("refresh now");
    tmux.run(&["send-keys", "-t", "deck", "q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let dead = tmux.run(&[
            "display-message",
            "-p",
            "-t",
            "deck",
            "#{pane_dead} #{pane_dead_status}",
        ]);
        let mut fields = dead.split_whitespace();
        if fields.next() == Some("1") {
            // Older tmux leaves #{pane_dead_status} empty; where it is set, it must be 0.
            let status = fields.next();
            assert!(
                status.is_none() || status == Some("0"),
                "stackdeck exited with {status:?}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "stackdeck did not exit cleanly after q: {dead:?}\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The alternate screen is gone: the dashboard is no longer drawn.
    let after = tmux.screen();
    assert!(
        !after.contains("refresh now") && !after.contains(&alarm),
        "terminal not restored:\n{after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redeploy_confirmed_with_keys_shows_the_dialog_the_result_and_the_rollout() {
    let env = TestEnv::shared().await;
    let stack = common::agent_stack(env, "tmuxops").await;
    let (_, _, before) = stack.deployments().await;
    let command = format!(
        "env AWS_ENDPOINT_URL={} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 XDG_STATE_HOME={} XDG_CONFIG_HOME={} {} --stack {}",
        stack.endpoint,
        stack.work.path().join("state").display(),
        stack.work.path().join("config").display(),
        env!("CARGO_BIN_EXE_stackdeck"),
        stack.name
    );
    let tmux = Tmux::start(&command);
    tmux.wait_for(&stack.service);
    tmux.wait_for("COMPLETED");

    tmux.keys(&["C-r"]);
    let dialog = tmux.wait_for("[ No ]");
    assert!(
        dialog.contains("[ Yes ]")
            && dialog.contains(&format!("redeploy {}/{}?", stack.cluster, stack.service)),
        "{dialog}"
    );
    // Enter on the default No declines: nothing is sent.
    tmux.keys(&["Enter"]);
    tmux.wait_until_gone("[ No ]");
    let (_, _, unchanged) = stack.deployments().await;
    assert_eq!(before, unchanged);

    tmux.keys(&["C-r"]);
    tmux.wait_for("[ No ]");
    tmux.keys(&["y"]);
    tmux.keys(&["Enter"]);
    let result = tmux.wait_for("redeploy started");
    assert!(result.contains("started deployment"), "{result}");
    tmux.keys(&["Escape"]);
    let done = tmux.wait_for("redeploy: deployment COMPLETED");
    assert!(!done.contains("redeploy started"), "{done}");
    let (_, rollout, after) = stack.deployments().await;
    assert_eq!(rollout, "COMPLETED");
    assert!(
        after.iter().any(|id| !before.contains(id)),
        "{before:?} → {after:?}"
    );
    let audit = stack.audit();
    let results: Vec<&str> = audit.iter().map(|r| r.result.as_str()).collect();
    assert_eq!(results, ["refused", "ok"], "declined, then done");
    tmux.keys(&["q"]);
}
