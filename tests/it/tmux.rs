//! The whole dashboard in a real terminal (tmux) against moto: it shows the service and an
//! alarm's state, `?` opens the help, `y` and `o` copy the service's ARN and console address
//! through OSC 52, a click focuses a panel, `q` quits and gives the terminal back; a redeploy
//! confirmed with keys shows its dialog, its result and the deployment completing.

use super::kit::{agent_stack, stackdeck};
use devstack::testenv::TestEnv;
use devstack::testkit::command::shell_line;
use devstack::testkit::eventually;
use devstack::testkit::stack::{Alarm, Revision, StackBuilder};
use devstack::testkit::tmux::Tmux;
use std::time::Duration;

/// The dashboard at 120×40 in tmux: `stackdeck --stack <stack>` against `endpoint`, with
/// `XDG_*` homes set when given.
fn dashboard(endpoint: &str, stack: &str, homes: Option<&std::path::Path>) -> Tmux {
    let mut cmd = stackdeck(endpoint);
    cmd.args(["--stack", stack]);
    if let Some(work) = homes {
        cmd.env("XDG_STATE_HOME", work.join("state"))
            .env("XDG_CONFIG_HOME", work.join("config"));
    }
    Tmux::start(&shell_line(&cmd), 120, 40)
}

#[tokio::test]
async fn the_dashboard_shows_the_stack_opens_help_and_quits_cleanly() {
    let env = TestEnv::shared().await;
    let s = StackBuilder::new("tmux")
        .revision(Revision::image("courier:1"))
        .service(0)
        .queues()
        .alarm(Alarm::new("queue-depth").in_alarm("test"))
        .build(&env.sdk_config().await)
        .await
        .unwrap();
    let (service, alarm) = (&s.service, &s.alarms[0]);
    let tmux = dashboard(&env.aws_endpoint(), &s.name, None);

    let screen = tmux.wait_for(service).await;
    assert!(screen.contains("ALARM"), "{screen}");
    assert!(screen.contains(alarm.as_str()), "{screen}");

    tmux.keys(&["?"]);
    tmux.wait_for("refresh now").await;

    tmux.keys(&["Escape"]);
    tmux.wait_until_gone("refresh now").await;

    // `y` on the service panel: its ARN (once STS named the account) on tmux's clipboard through
    // OSC 52; `o`: the console page, copied too.
    tmux.run(&["set-option", "-s", "set-clipboard", "on"]);
    let arn = format!(
        "arn:aws:ecs:us-east-1:123456789012:service/{}/{service}",
        s.cluster
    );
    eventually(
        Duration::from_secs(20),
        "y to copy the service's ARN",
        || async {
            tmux.keys(&["y"]);
            tokio::time::sleep(Duration::from_millis(300)).await;
            let buffer = tmux.run(&["show-buffer"]);
            if buffer == arn {
                Ok(())
            } else {
                Err(format!("{buffer:?}\n{}", tmux.screen()))
            }
        },
    )
    .await;
    assert!(
        tmux.screen().contains(&format!("copied {arn}")),
        "{}",
        tmux.screen()
    );
    tmux.keys(&["o"]);
    let console = format!(
        "/ecs/v2/clusters/{}/services/{service}/health?region=us-east-1",
        s.cluster
    );
    eventually(
        Duration::from_secs(10),
        "o to copy the console address",
        || async {
            let buffer = tmux.run(&["show-buffer"]);
            if buffer.starts_with("https://us-east-1.console.aws.amazon.com")
                && buffer.ends_with(&console)
            {
                Ok(())
            } else {
                Err(buffer)
            }
        },
    )
    .await;
    // A click on the alarms panel (an SGR mouse report, as a terminal sends it) focuses it.
    tmux.keys(&["-l", "\x1b[<0;100;5M\x1b[<0;100;5m"]);
    tmux.wait_for("┏ Alarms").await;
    tmux.keys(&["q"]);
    let what = "stackdeck to exit cleanly after q";
    let status = eventually(Duration::from_secs(10), what, || async {
        let dead = tmux.pane("#{pane_dead} #{pane_dead_status}");
        let mut fields = dead.split_whitespace();
        match fields.next() {
            Some("1") => Ok(fields.next().map(str::to_owned)),
            _ => Err(format!("{dead:?}\n{}", tmux.screen())),
        }
    })
    .await;
    // Older tmux leaves #{pane_dead_status} empty; where it is set, it must be 0.
    assert!(
        status.is_none() || status.as_deref() == Some("0"),
        "stackdeck exited with {status:?}"
    );
    // The alternate screen is gone: the dashboard is no longer drawn.
    let after = tmux.screen();
    assert!(
        !after.contains("refresh now") && !after.contains(alarm.as_str()),
        "terminal not restored:\n{after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redeploy_confirmed_with_keys_shows_the_dialog_the_result_and_the_rollout() {
    let env = TestEnv::shared().await;
    let stack = agent_stack(env, "tmuxops").await;
    let (_, _, before) = stack.deployments().await;
    let tmux = dashboard(&stack.endpoint, &stack.name, Some(stack.work.path()));
    tmux.wait_for(&stack.service).await;
    tmux.wait_for("COMPLETED").await;

    tmux.keys(&["C-r"]);
    let dialog = tmux.wait_for("[ No ]").await;
    assert!(
        dialog.contains("[ Yes ]")
            && dialog.contains(&format!("redeploy {}/{}?", stack.cluster, stack.service)),
        "{dialog}"
    );
    // Enter on the default No declines: nothing is sent.
    tmux.keys(&["Enter"]);
    tmux.wait_until_gone("[ No ]").await;
    let (_, _, unchanged) = stack.deployments().await;
    assert_eq!(before, unchanged);

    tmux.keys(&["C-r"]);
    tmux.wait_for("[ No ]").await;
    tmux.keys(&["y"]);
    tmux.keys(&["Enter"]);
    let result = tmux.wait_for("redeploy started").await;
    assert!(result.contains("started deployment"), "{result}");
    tmux.keys(&["Escape"]);
    let done = tmux.wait_for("redeploy: deployment COMPLETED").await;
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
