# IAM policies for the people and scripts that run stackdeck against this stack: read-only (the
# dashboard, `status`) and operator (plus redeploy, rollback, scale, stop-task, stop-deployment, exec,
# purge, redrive). Their actions follow src/aws/permissions.rs; each on the narrowest resource it supports.

data "aws_caller_identity" "current" {}

locals {
  account         = data.aws_caller_identity.current.account_id
  service_arn     = "arn:aws:ecs:${var.region}:${local.account}:service/${var.cluster_name}/${var.service_name}"
  parameters      = "arn:aws:ssm:${var.region}:${local.account}:parameter/stackdeck/*"
  alarms          = "arn:aws:cloudwatch:${var.region}:${local.account}:alarm:${var.alarm_prefix}*"
  task_in_cluster = "arn:aws:ecs:${var.region}:${local.account}:task/${var.cluster_name}/*"
  deployments     = "arn:aws:ecs:${var.region}:${local.account}:service-deployment/${var.cluster_name}/${var.service_name}/*"
}

data "aws_iam_policy_document" "read_only" {
  #checkov:skip=CKV_AWS_356:the NoResourceLevel statement holds only read actions that take no resource ARN (task definitions, metric data, target health, service revisions)
  statement {
    sid       = "Discovery"
    actions   = ["ssm:GetParametersByPath"]
    resources = [local.parameters]
  }
  statement {
    sid       = "Service"
    actions   = ["ecs:DescribeServices", "ecs:ListTasks", "ecs:ListServiceDeployments"]
    resources = [local.service_arn, "arn:aws:ecs:${var.region}:${local.account}:container-instance/${var.cluster_name}/*"]
  }
  statement {
    sid       = "ServiceDeployments"
    actions   = ["ecs:DescribeServiceDeployments"]
    resources = [local.deployments]
  }
  statement {
    sid       = "Tasks"
    actions   = ["ecs:DescribeTasks"]
    resources = [local.task_in_cluster]
  }
  statement {
    sid       = "NoResourceLevel"
    actions   = ["ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:DescribeServiceRevisions", "elasticloadbalancing:DescribeTargetHealth", "cloudwatch:GetMetricData"]
    resources = ["*"]
  }
  statement {
    sid       = "Database"
    actions   = ["rds:DescribeDBInstances"]
    resources = [var.db_instance_arn]
  }
  statement {
    sid       = "Queues"
    actions   = ["sqs:GetQueueAttributes"]
    resources = var.queue_arns
  }
  statement {
    sid       = "Alarms"
    actions   = ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"]
    resources = [local.alarms]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:StartLiveTail", "logs:FilterLogEvents"]
    resources = [var.log_group_arn, "${var.log_group_arn}:*"]
  }
}

data "aws_iam_policy_document" "operator" {
  source_policy_documents = [data.aws_iam_policy_document.read_only.json]

  #checkov:skip=CKV_AWS_356:DescribeScalableTargets takes no resource ARN (a read, for scale's range)
  statement {
    sid       = "RedeployAndRollback"
    actions   = ["ecs:UpdateService"]
    resources = [local.service_arn]
  }
  statement {
    sid       = "ScaleWithinTheScalableTarget"
    actions   = ["application-autoscaling:DescribeScalableTargets"]
    resources = ["*"]
  }
  statement {
    sid       = "StopOneTask"
    actions   = ["ecs:StopTask"]
    resources = [local.task_in_cluster]
  }
  statement {
    sid       = "ExecIntoATask"
    actions   = ["ecs:ExecuteCommand"]
    resources = [local.task_in_cluster, "arn:aws:ecs:${var.region}:${local.account}:cluster/${var.cluster_name}"]
  }
  statement {
    sid       = "StopTheDeployment"
    actions   = ["ecs:StopServiceDeployment"]
    resources = [local.deployments]
  }
  statement {
    sid       = "Purge"
    actions   = ["sqs:PurgeQueue"]
    resources = var.queue_arns
  }
  statement {
    sid       = "RedriveFromTheDlq"
    actions   = ["sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks", "sqs:CancelMessageMoveTask", "sqs:ReceiveMessage", "sqs:DeleteMessage"]
    resources = [var.dlq_arn]
  }
  statement {
    sid       = "RedriveToTheQueue"
    actions   = ["sqs:SendMessage"]
    resources = [var.work_queue_arn]
  }
  statement {
    sid       = "EncryptedMessages"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_policy" "read_only" {
  name        = "${var.name_prefix}-stackdeck-read-only"
  description = "stackdeck's dashboard and status for ${var.stack_name}"
  policy      = data.aws_iam_policy_document.read_only.json
}

resource "aws_iam_policy" "operator" {
  name        = "${var.name_prefix}-stackdeck-operator"
  description = "stackdeck for ${var.stack_name}, with redeploy, rollback, scale, stop-task, stop-deployment, purge and redrive"
  policy      = data.aws_iam_policy_document.operator.json
}
