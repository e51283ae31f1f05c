//! `:profile NAME` and `:region NAME` in the dashboard, in tmux at 80×24 against moto, through a
//! crafted AWS config file (profiles `deck` and `other`): the header shows the profile and
//! region (the account is the first thing an 80-column header drops; at 160 it shows), a region
//! where the stack is not gives its one line in the footer and the header stays, a profile that
//! does not exist gives the "no such profile" line, and a switch that finds the stack moves the
//! header and the data there.

use super::kit::stackdeck;
use devstack::testenv::TestEnv;
use devstack::testkit::command::shell_line;
use devstack::testkit::stack::{Revision, StackBuilder};
use devstack::testkit::tmux::Tmux;

const CONFIG: &str = "[profile deck]\nregion = us-east-1\n\n[profile other]\nregion = us-east-1\n";

/// Whether the header still names `place` (the profile and region, perhaps after the account).
fn stays(header: &str, place: &str) -> bool {
    header.trim_end().ends_with(place)
}

/// The screen's first line (the header) and last (the footer).
fn ends(tmux: &Tmux) -> (String, String) {
    ends_of(&tmux.screen())
}

/// A captured screen's first line (the header) and last (the footer).
fn ends_of(screen: &str) -> (String, String) {
    let lines: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
    (
        lines.first().unwrap_or(&"").to_string(),
        lines.last().unwrap_or(&"").to_string(),
    )
}

/// Wait until the header shows `place` at its end; the header then.
async fn header_ends_with(tmux: &Tmux, place: &str) -> String {
    devstack::testkit::eventually(
        std::time::Duration::from_secs(30),
        &format!("the header to end with {place:?}"),
        || async {
            let (header, _) = ends(tmux);
            if header.trim_end().ends_with(place) {
                Ok(header)
            } else {
                Err(tmux.screen())
            }
        },
    )
    .await
}

/// Copy the stack's SSM discovery parameters into `region` (moto keeps each region apart).
async fn copy_discovery(sdk: &aws_config::SdkConfig, stack: &str, region: &'static str) {
    let here = aws_sdk_ssm::Client::new(sdk);
    let there = aws_sdk_ssm::Client::from_conf(
        aws_sdk_ssm::config::Builder::from(sdk)
            .region(aws_config::Region::new(region))
            .build(),
    );
    let path = format!("/stackdeck/{stack}/");
    let found = here
        .get_parameters_by_path()
        .path(&path)
        .recursive(true)
        .send()
        .await
        .unwrap();
    assert!(!found.parameters().is_empty(), "{path} has parameters");
    for p in found.parameters() {
        there
            .put_parameter()
            .name(p.name().unwrap())
            .value(p.value().unwrap())
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn profile_and_region_switch_in_the_dashboard_or_say_why_not() {
    let env = TestEnv::shared().await;
    let sdk = env.sdk_config().await;
    let s = StackBuilder::new("switch")
        .revision(Revision::image("courier:1"))
        .service(0)
        .queues()
        .build(&sdk)
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("aws-config");
    std::fs::write(&config, CONFIG).unwrap();
    let mut cmd = stackdeck(&env.aws_endpoint());
    cmd.args(["--profile", "deck", "--stack", &s.name])
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("absent"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", home.path().join("config"));
    let tmux = Tmux::start(&shell_line(&cmd), 80, 24);
    tmux.wait_for(&s.service).await;
    let header = header_ends_with(&tmux, "  deck · us-east-1").await;
    assert!(
        header.starts_with(&format!(" stackdeck · {}", s.name)),
        "{header}"
    );
    // The account (moto's) came from STS: too long for 80 columns, shown at 160.
    assert!(!header.contains("123456789012"), "{header}");
    tmux.run(&["resize-window", "-t", "deck", "-x", "160", "-y", "24"]);
    header_ends_with(&tmux, "  123456789012 · deck · us-east-1").await;
    tmux.run(&["resize-window", "-t", "deck", "-x", "80", "-y", "24"]);
    header_ends_with(&tmux, "  deck · us-east-1").await;

    // A region without the stack: one line in the footer, nothing moves.
    tmux.keys(&[":region eu-west-2", "Enter"]);
    let screen = tmux
        .wait_for(&format!(
            "region eu-west-2: no parameters under /stackdeck/{}/",
            s.name
        ))
        .await;
    // The header and the footer of that same screen (a second capture could catch a redraw).
    let (header, footer) = ends_of(&screen);
    assert!(stays(&header, "deck · us-east-1"), "{header:?}\n{screen}");
    // (The line goes on with the profile, past 80 columns for a long stack name.)
    assert!(
        footer.contains(&format!(
            " region eu-west-2: no parameters under /stackdeck/{}/",
            s.name
        )),
        "{screen}"
    );
    assert!(screen.contains(&s.service), "the data stays:\n{screen}");

    // A profile in neither file: the preflight's one line, naming where it looked.
    tmux.keys(&[":profile nosuch", "Enter"]);
    let screen = tmux
        .wait_for("profile nosuch (from :profile) is in neither")
        .await;
    let (header, footer) = ends_of(&screen);
    assert!(stays(&header, "deck · us-east-1"), "{header:?}\n{screen}");
    assert!(footer.contains(&config.display().to_string()), "{screen}");

    // Another profile that has the stack: the header and every read move there.
    tmux.keys(&[":profile other", "Enter"]);
    header_ends_with(&tmux, "  other · us-east-1").await;
    let screen = tmux
        .wait_for(&format!(
            "profile other · region us-east-1 · stack {}",
            s.name
        ))
        .await;
    tmux.wait_for(&s.service).await;
    assert!(!screen.contains("deck · us-east-1"), "{screen}");

    // A region that has the stack's discovery too (copied there, not its resources): the switch
    // succeeds and every read goes there, where the queue does not exist. The verdict's error is
    // longer than the line: it is cut shorter, and the header still says where it reads.
    copy_discovery(&sdk, &s.name, "eu-west-2").await;
    tmux.keys(&[":region eu-west-2", "Enter"]);
    tmux.wait_for(&format!(
        "profile other · region eu-west-2 · stack {}",
        s.name
    ))
    .await;
    tmux.wait_for("-work not found").await;
    let header = header_ends_with(&tmux, "…  other · eu-west-2").await;
    assert!(header.contains(" · ERROR: "), "{header}");
    tmux.keys(&["q"]);
}
