//! The deploy workflow and the deploy role agree: every AWS call the `deploy` job of
//! `.github/workflows/deploy.yml` makes is allowed by the CI deploy role, and the role allows
//! nothing the job does not call. Both sides are read from the files themselves: the job's
//! `aws …`, `docker push`, `stackdeck …` and action steps; the role's actions from
//! `terraform/modules/ci/deploy-role-actions.json`, which the `ci` module's policy is built from.

use stackdeck::aws::permissions;
use std::collections::BTreeSet;
use std::path::Path;

fn repo_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The text of one job of a workflow: the lines after `  <job>:` up to the next line indented
/// two spaces or less (the next job, or the next top-level key).
fn job(workflow: &str, name: &str) -> String {
    let header = format!("  {name}:");
    let mut lines = workflow.lines().skip_while(|l| l.trim_end() != header);
    assert!(lines.next().is_some(), "no job {name}");
    lines
        .take_while(|l| l.trim().is_empty() || l.starts_with("   "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `describe-task-definition` → `DescribeTaskDefinition`.
fn pascal(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The IAM actions the job's steps call.
fn workflow_calls(job_text: &str) -> BTreeSet<String> {
    let mut calls = BTreeSet::new();
    for line in job_text.lines() {
        let code = line.split(" #").next().unwrap_or(line);
        let words: Vec<&str> = code.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            let next = |k: usize| words.get(i + k).copied().unwrap_or("");
            // Only words in command position: first on the line, or after `run:`, `$(` or a
            // shell operator (so a step's `name:` that mentions a tool is not a call).
            let command_position = i == 0
                || word.contains("$(")
                || matches!(
                    words[i - 1],
                    "run:" | "&&" | "||" | ";" | "|" | "then" | "do" | "-"
                )
                || words[i - 1].ends_with("$(");
            if !command_position {
                continue;
            }
            let word = word.rsplit("$(").next().unwrap_or(word);
            match word {
                "aws" if !next(1).starts_with('-') && !next(1).is_empty() => {
                    let service = match next(1) {
                        "elbv2" => "elasticloadbalancing",
                        other => other,
                    };
                    let op = pascal(next(2));
                    calls.insert(format!("{service}:{op}"));
                    if op == "RegisterTaskDefinition" {
                        // The task definition names its task and execution roles.
                        calls.insert("iam:PassRole".into());
                    }
                }
                "docker" if next(1) == "push" => {
                    for action in [
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:InitiateLayerUpload",
                        "ecr:UploadLayerPart",
                        "ecr:CompleteLayerUpload",
                        "ecr:PutImage",
                    ] {
                        calls.insert(action.into());
                    }
                }
                "stackdeck" => {
                    let sub = words[i + 1..]
                        .iter()
                        .find(|w| !w.starts_with('-'))
                        .copied()
                        .unwrap_or("");
                    let actions = permissions::for_command(sub).unwrap_or_else(|| {
                        panic!("the workflow runs `stackdeck {sub}`, which has no permission table")
                    });
                    calls.extend(actions.iter().map(|a| a.to_string()));
                }
                _ => {}
            }
        }
        if code.contains("uses: aws-actions/amazon-ecr-login@") {
            calls.insert("ecr:GetAuthorizationToken".into());
        }
    }
    calls
}

#[test]
fn the_deploy_role_allows_exactly_what_the_deploy_job_calls() {
    let workflow = repo_file(".github/workflows/deploy.yml");
    let calls = workflow_calls(&job(&workflow, "deploy"));
    let role: BTreeSet<String> =
        serde_json::from_str(&repo_file("terraform/modules/ci/deploy-role-actions.json"))
            .expect("a JSON list of actions");

    let missing: Vec<_> = calls.difference(&role).collect();
    let unused: Vec<_> = role.difference(&calls).collect();
    assert!(
        missing.is_empty(),
        "the deploy job calls actions the deploy role does not allow: {missing:?}"
    );
    assert!(
        unused.is_empty(),
        "the deploy role allows actions the deploy job never calls: {unused:?}"
    );

    // The module really builds the role's policy from that file.
    let ci_module = repo_file("terraform/modules/ci/main.tf");
    assert!(
        ci_module.contains("deploy-role-actions.json"),
        "terraform/modules/ci/main.tf must read deploy-role-actions.json"
    );
}

#[test]
fn the_extraction_sees_every_kind_of_call() {
    let job_text = "  deploy:\n    steps:\n      - name: build stackdeck (the gate)\n      - uses: aws-actions/amazon-ecr-login@0123 # v2\n      - run: |\n          docker push \"$image\"\n          arn=$(aws ecs register-task-definition --cli-input-json file://x\n          aws elbv2 describe-load-balancers --load-balancer-arns x\n          stackdeck rollback --to last-completed --yes\n";
    let calls = workflow_calls(job_text);
    for expected in [
        "ecr:GetAuthorizationToken",
        "ecr:PutImage",
        "ecs:RegisterTaskDefinition",
        "iam:PassRole",
        "elasticloadbalancing:DescribeLoadBalancers",
        "ecs:UpdateService",
        "ecs:ListTaskDefinitions",
    ] {
        assert!(
            calls.contains(expected),
            "{expected} missing from {calls:?}"
        );
    }
    assert_eq!(pascal("describe-task-definition"), "DescribeTaskDefinition");
}

#[test]
fn jobs_are_cut_at_the_next_job() {
    let workflow = "jobs:\n  a:\n    steps:\n      - run: aws ecs list-tasks\n  b:\n    steps:\n      - run: aws ecs update-service\n";
    let a = job(workflow, "a");
    assert!(
        a.contains("list-tasks") && !a.contains("update-service"),
        "{a:?}"
    );
    assert!(job(workflow, "b").contains("update-service"));
}
