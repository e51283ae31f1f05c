//! The test environment helper: two test processes at once get disjoint moto and PostgreSQL
//! servers on free ports, and their servers go when they do.

use devstack::testkit::eventually;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Probe {
    child: Child,
    aws_endpoint: String,
    database_url: String,
}

fn start_probe() -> Probe {
    let mut child = Command::new(env!("CARGO_BIN_EXE_devstack"))
        .arg("testenv")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start devstack testenv");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    Probe {
        child,
        aws_endpoint: info["aws_endpoint"].as_str().unwrap().to_owned(),
        database_url: info["database_url"].as_str().unwrap().to_owned(),
    }
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|tail| tail.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"))
}

/// Wait (up to 20 s) until nothing listens on `port` any more.
async fn freed(port: u16, after: &str) {
    let what = format!("port {port} to be free {after}");
    eventually(Duration::from_secs(20), &what, || async {
        devstack::ports::is_free(port).then_some(())
    })
    .await
}

#[tokio::test]
async fn two_processes_get_disjoint_servers_that_stop_with_them() {
    // Start both at once, as two test binaries would.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(start_probe);
        let b = s.spawn(start_probe);
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_ne!(a.aws_endpoint, b.aws_endpoint);
    assert_ne!(port_of(&a.database_url), port_of(&b.database_url));

    // Each moto is its own world: a parameter written to one is absent from the other.
    let ssm_a = aws_sdk_ssm::Client::new(&devstack::aws::sdk_config(&a.aws_endpoint).await);
    let ssm_b = aws_sdk_ssm::Client::new(&devstack::aws::sdk_config(&b.aws_endpoint).await);
    ssm_a
        .put_parameter()
        .name("/probe/only-in-a")
        .value("a")
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .unwrap();
    assert!(ssm_a
        .get_parameter()
        .name("/probe/only-in-a")
        .send()
        .await
        .is_ok());
    assert!(ssm_b
        .get_parameter()
        .name("/probe/only-in-a")
        .send()
        .await
        .is_err());
    // Both PostgreSQL clusters accept connections.
    for url in [&a.database_url, &b.database_url] {
        assert!(devstack::ports::is_listening(port_of(url)), "{url}");
    }

    // Closing a probe's stdin ends it, and its servers with it.
    let ports = [
        port_of(&a.aws_endpoint),
        port_of(&a.database_url),
        port_of(&b.aws_endpoint),
        port_of(&b.database_url),
    ];
    for mut probe in [a, b] {
        drop(probe.child.stdin.take());
        assert!(probe.child.wait().unwrap().success());
    }
    for port in ports {
        freed(port, "after its probe ended").await;
    }
}

#[tokio::test]
async fn a_killed_test_process_takes_its_servers_with_it() {
    let mut probe = start_probe();
    let ports = [port_of(&probe.aws_endpoint), port_of(&probe.database_url)];
    probe.child.kill().unwrap(); // SIGKILL: no destructor runs; the parent-death signal does the work
    probe.child.wait().unwrap();
    for port in ports {
        freed(port, "after SIGKILL").await;
    }
}
