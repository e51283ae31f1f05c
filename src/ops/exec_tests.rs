//! The pure parts of exec with plain values: the argv template and its placeholders, the
//! programs looked for on PATH.

use super::exec::*;
use crate::config::ExecConfig;

fn values() -> Values {
    Values {
        cluster: "c".into(),
        service: "s".into(),
        task: "t1".into(),
        container: "app".into(),
        command: "/bin/sh".into(),
        region: "eu-west-1".into(),
        profile: "default".into(),
        endpoint: None,
        stack: "st".into(),
    }
}

#[test]
fn the_default_command_gets_the_region_and_only_a_named_profile_and_endpoint() {
    let plain = argv(&ExecConfig::default(), &values());
    assert_eq!(
        plain.join(" "),
        "aws ecs execute-command --cluster c --task t1 --container app --interactive --command /bin/sh --region eu-west-1"
    );
    let named = Values {
        profile: "prod".into(),
        endpoint: Some("http://127.0.0.1:4566".into()),
        ..values()
    };
    let full = argv(&ExecConfig::default(), &named);
    assert_eq!(
        full[12..].join(" "),
        "--region eu-west-1 --profile prod --endpoint-url http://127.0.0.1:4566"
    );
}

#[test]
fn a_template_is_substituted_per_argument_and_gets_nothing_added() {
    let config = ExecConfig {
        command: Some(vec![
            "sh".into(),
            "-c".into(),
            "echo EXEC {task} {container} {nope} > ${OUT_FILE}".into(),
        ]),
        ..ExecConfig::default()
    };
    let sneaky = Values {
        task: "{container}; rm -rf /".into(),
        ..values()
    };
    assert_eq!(
        argv(&config, &sneaky),
        [
            "sh",
            "-c",
            // A value is not substituted again, and stays one argument.
            "echo EXEC {container}; rm -rf / app {nope} > ${OUT_FILE}"
        ]
    );
    assert_eq!(substitute("{", &values()), "{");
    assert_eq!(substitute("a}{b", &values()), "a}{b");
    assert_eq!(substitute("{stack}/{service}", &values()), "st/s");
}

#[test]
fn programs_are_looked_for_on_path_and_aws_needs_the_plugin() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let install = |name: &str, mode: u32| {
        let p = dir.path().join(name);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    install("aws", 0o755);
    install("tool", 0o644);
    let path = std::env::join_paths([dir.path()]).unwrap();
    let argv = |p: &str| vec![p.to_owned(), "x".to_owned()];
    let why = check_programs(&argv("aws"), Some(&path)).unwrap_err();
    assert!(
        why.contains("session-manager-plugin is not on PATH"),
        "{why}"
    );
    install("session-manager-plugin", 0o755);
    assert_eq!(check_programs(&argv("aws"), Some(&path)), Ok(()));
    let why = check_programs(&argv("tool"), Some(&path)).unwrap_err();
    assert!(
        why.contains("tool (the config's [exec] command) is not on PATH"),
        "{why}"
    );
    let why = check_programs(&argv("/nowhere/aws"), Some(&path)).unwrap_err();
    assert!(
        why.contains("the AWS CLI (/nowhere/aws) is not on PATH"),
        "{why}"
    );
    assert!(check_programs(&[], Some(&path))
        .unwrap_err()
        .contains("is empty"));
    assert_eq!(find_program("aws", None), None);
}
