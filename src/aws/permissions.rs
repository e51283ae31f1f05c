//! The IAM actions each stackdeck command calls. This table is the contract between the code and
//! the policies that let it run: the Terraform `operator` module's read-only and operator policies,
//! and the CI deploy role (`tests/it/deploy_role.rs` checks the deploy workflow against it).
//! A change to an adapter's calls changes this table in the same commit.

/// Discovery: one paginated GetParametersByPath.
pub const DISCOVER: &[&str] = &["ssm:GetParametersByPath"];

/// Discovery from the AWS API (`--cluster/--service`, `--tag`, or the config's `cluster`,
/// `service`, `tags`), beside DISCOVER: the service, its task definition and load balancer, its
/// queues and DLQs, the DB instances (only when the environment names a host), every alarm, and
/// with `--tag` the Tagging API.
pub const DISCOVER_API: &[&str] = &[
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "elasticloadbalancing:DescribeTargetGroups",
    "sqs:GetQueueUrl",
    "sqs:GetQueueAttributes",
    "rds:DescribeDBInstances",
    "cloudwatch:DescribeAlarms",
    "tag:GetResources",
];

/// `stackdeck status` (and its `--wait-stable`): the service, the queues, the alarms; for the
/// warnings, the queue's metrics and the target health (without them the warnings are unread,
/// and the verdict stands).
pub const STATUS: &[&str] = &[
    "ssm:GetParametersByPath",
    "ecs:DescribeServices",
    "sqs:GetQueueAttributes",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:GetMetricData",
    "elasticloadbalancing:DescribeTargetHealth",
];

/// One refresh of the dashboard: every read of every panel (the logs apart).
pub const DASHBOARD: &[&str] = &[
    "ssm:GetParametersByPath",
    "ecs:DescribeServices",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    "elasticloadbalancing:DescribeTargetHealth",
    "rds:DescribeDBInstances",
    "sqs:GetQueueAttributes",
    "cloudwatch:GetMetricData",
    "cloudwatch:DescribeAlarms",
];

/// The log panel.
pub const LOGS: &[&str] = &["logs:StartLiveTail", "logs:FilterLogEvents"];

/// `stackdeck redeploy`.
pub const REDEPLOY: &[&str] = &[
    "ssm:GetParametersByPath",
    "ecs:DescribeServices",
    "ecs:UpdateService",
];

/// `stackdeck rollback`: the deployments, the history (where the API exists), the family's
/// revisions and two of them for the diff, then the update.
pub const ROLLBACK: &[&str] = &[
    "ssm:GetParametersByPath",
    "ecs:DescribeServices",
    "ecs:ListServiceDeployments",
    "ecs:DescribeServiceRevisions",
    "ecs:ListTaskDefinitions",
    "ecs:DescribeTaskDefinition",
    "ecs:UpdateService",
];

/// `stackdeck scale N`: the desired count, the scalable target's range, then the update.
pub const SCALE: &[&str] = &[
    "ssm:GetParametersByPath",
    "ecs:DescribeServices",
    "application-autoscaling:DescribeScalableTargets",
    "ecs:UpdateService",
];

/// `stackdeck stop-task ID`: the service's running tasks, its desired count, then the stop.
pub const STOP_TASK: &[&str] = &[
    "ssm:GetParametersByPath",
    "ecs:ListTasks",
    "ecs:DescribeServices",
    "ecs:StopTask",
];

/// `stackdeck exec [TASK]`: the running tasks (without a TASK), the service's
/// enableExecuteCommand, the task and its task definition; then the AWS CLI's
/// ExecuteCommand, whose Session Manager channel needs the `ssmmessages` actions (on the task
/// role, which ECS Exec also needs).
pub const EXEC: &[&str] = &[
    "ssm:GetParametersByPath",
    "ecs:ListTasks",
    "ecs:DescribeServices",
    "ecs:DescribeTasks",
    "ecs:DescribeTaskDefinition",
    "ecs:ExecuteCommand",
];

/// `stackdeck stop-deployment`: the deployment history, then the stop (and, waiting, the
/// service).
pub const STOP_DEPLOYMENT: &[&str] = &[
    "ssm:GetParametersByPath",
    "ecs:ListServiceDeployments",
    "ecs:DescribeServiceDeployments",
    "ecs:DescribeServiceRevisions",
    "ecs:StopServiceDeployment",
    "ecs:DescribeServices",
];

/// `stackdeck purge [--dlq]`.
pub const PURGE: &[&str] = &[
    "ssm:GetParametersByPath",
    "sqs:GetQueueAttributes",
    "sqs:PurgeQueue",
];

/// `stackdeck redrive`: StartMessageMoveTask needs to read the DLQ and write the source queue.
pub const REDRIVE: &[&str] = &[
    "ssm:GetParametersByPath",
    "sqs:GetQueueAttributes",
    "sqs:StartMessageMoveTask",
    "sqs:ListMessageMoveTasks",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:SendMessage",
];

/// `stackdeck timeline` and the dashboard's timeline: the service (deployments, events, stopped
/// tasks), the alarms' history, the task definitions of the deployments' diffs, the logs.
pub const TIMELINE: &[&str] = &[
    "ssm:GetParametersByPath",
    "ecs:DescribeServices",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    "ecs:DescribeTaskDefinition",
    "cloudwatch:DescribeAlarmHistory",
    "logs:FilterLogEvents",
];

/// `stackdeck doctor`: who the caller is, then every read of discovery, `status`, the dashboard
/// and the log panel, each tried once (`DISCOVER`, `DISCOVER_API`, `STATUS`, `DASHBOARD`, `LOGS`,
/// once each).
pub const DOCTOR: &[&str] = &[
    "sts:GetCallerIdentity",
    "ssm:GetParametersByPath",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "elasticloadbalancing:DescribeTargetGroups",
    "sqs:GetQueueUrl",
    "tag:GetResources",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    "elasticloadbalancing:DescribeTargetHealth",
    "rds:DescribeDBInstances",
    "sqs:GetQueueAttributes",
    "cloudwatch:GetMetricData",
    "cloudwatch:DescribeAlarms",
    "logs:StartLiveTail",
    "logs:FilterLogEvents",
];

/// The start picker (`stackdeck` with no stack): the SSM stacks, then every cluster's services.
pub const PICKER: &[&str] = &[
    "ssm:GetParametersByPath",
    "ecs:ListClusters",
    "ecs:ListServices",
    "ecs:DescribeServices",
];

/// The actions of a subcommand by name, as it appears on a command line.
pub fn for_command(command: &str) -> Option<&'static [&'static str]> {
    Some(match command {
        "discover" | "stacks" => DISCOVER,
        "status" => STATUS,
        "redeploy" => REDEPLOY,
        "rollback" => ROLLBACK,
        "scale" => SCALE,
        "stop-task" => STOP_TASK,
        "exec" => EXEC,
        "stop-deployment" => STOP_DEPLOYMENT,
        "purge" => PURGE,
        "redrive" => REDRIVE,
        "timeline" => TIMELINE,
        "doctor" => DOCTOR,
        _ => return None,
    })
}
