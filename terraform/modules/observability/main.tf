# The service's log group, the alerts topic, the stack's alarms, a dashboard and a budget.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

resource "aws_cloudwatch_log_group" "service" {
  name              = "/ecs/${var.name_prefix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_sns_topic" "alerts" {
  name              = "${var.name_prefix}-alerts"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  count     = length(var.alert_emails)
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alert_emails[count.index]
}

locals {
  alarm_prefix = "${var.name_prefix}-"
  actions      = [aws_sns_topic.alerts.arn]

  # name => settings of every single-metric alarm of the stack.
  alarms = {
    rds-cpu = {
      description = "RDS CPU above ${var.rds_cpu_threshold_percent} % for 5 minutes"
      namespace   = "AWS/RDS"
      metric      = "CPUUtilization"
      dimensions  = { DBInstanceIdentifier = var.db_instance_id }
      statistic   = "Average"
      period      = 60
      evaluations = 5
      threshold   = var.rds_cpu_threshold_percent
      missing     = "missing"
    }
    queue-depth = {
      description = "More than ${var.queue_depth_threshold} messages waiting for 10 minutes: the worker is behind or stopped"
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = var.queue_name }
      statistic   = "Maximum"
      period      = 60
      evaluations = 10
      threshold   = var.queue_depth_threshold
      missing     = "notBreaching"
    }
    queue-age = {
      description = "The oldest message has waited more than ${var.queue_age_threshold_seconds} s for 5 minutes"
      namespace   = "AWS/SQS"
      metric      = "ApproximateAgeOfOldestMessage"
      dimensions  = { QueueName = var.queue_name }
      statistic   = "Maximum"
      period      = 60
      evaluations = 5
      threshold   = var.queue_age_threshold_seconds
      missing     = "notBreaching"
    }
    dlq-depth = {
      description = "Messages in the dead-letter queue: some messages keep failing"
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = var.dlq_name }
      statistic   = "Maximum"
      period      = 60
      evaluations = 1
      threshold   = 0
      missing     = "notBreaching"
    }
    alb-5xx = {
      description = "courier answered more than ${var.alb_5xx_threshold} 5xx a minute for 3 minutes"
      namespace   = "AWS/ApplicationELB"
      metric      = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      statistic   = "Sum"
      period      = 60
      evaluations = 3
      threshold   = var.alb_5xx_threshold
      missing     = "notBreaching"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each            = local.alarms
  alarm_name          = "${local.alarm_prefix}${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluations
  datapoints_to_alarm = each.value.evaluations
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = each.value.missing
  alarm_actions       = local.actions
  ok_actions          = local.actions
}

# Running below desired: needs both counts (Container Insights), so it is a metric-math alarm.
resource "aws_cloudwatch_metric_alarm" "running_below_desired" {
  alarm_name          = "${local.alarm_prefix}running-below-desired"
  alarm_description   = "Fewer courier tasks running than desired for 3 minutes"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  treat_missing_data  = "breaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "missing"
    expression  = "desired - running"
    label       = "tasks missing"
    return_data = true
  }

  metric_query {
    id = "desired"
    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "DesiredTaskCount"
      dimensions  = { ClusterName = var.cluster_name, ServiceName = var.service_name }
      stat        = "Minimum"
      period      = 60
    }
  }

  metric_query {
    id = "running"
    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "RunningTaskCount"
      dimensions  = { ClusterName = var.cluster_name, ServiceName = var.service_name }
      stat        = "Minimum"
      period      = 60
    }
  }
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title       = "queue depth"
          region      = data.aws_region.current.name
          metrics     = [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.queue_name], ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dlq_name]]
          annotations = { horizontal = [{ value = var.queue_depth_threshold, label = "alarm" }] }
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title       = "RDS CPU"
          region      = data.aws_region.current.name
          metrics     = [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.db_instance_id]]
          annotations = { horizontal = [{ value = var.rds_cpu_threshold_percent, label = "alarm" }] }
        }
      },
      {
        type = "alarm", x = 0, y = 6, width = 24, height = 4
        properties = {
          title  = "alarms"
          alarms = concat([for a in aws_cloudwatch_metric_alarm.this : a.arn], [aws_cloudwatch_metric_alarm.running_below_desired.arn])
        }
      },
    ]
  })
}

resource "aws_budgets_budget" "monthly" {
  count        = var.enable_budget ? 1 : 0
  account_id   = data.aws_caller_identity.current.account_id
  name         = "${var.name_prefix}-monthly"
  budget_type  = "COST"
  limit_amount = tostring(var.monthly_budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  dynamic "notification" {
    for_each = var.enable_budget_notifications ? [
      { type = "ACTUAL", threshold = 80 },
      { type = "FORECASTED", threshold = 100 },
    ] : []
    content {
      comparison_operator       = "GREATER_THAN"
      notification_type         = notification.value.type
      threshold                 = notification.value.threshold
      threshold_type            = "PERCENTAGE"
      subscriber_sns_topic_arns = [aws_sns_topic.alerts.arn]
    }
  }
}
