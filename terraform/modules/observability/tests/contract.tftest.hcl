# Plan-level contract of the alarms.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_resource "aws_sns_topic" {
    defaults        = { arn = "arn:aws:sns:us-east-1:123456789012:courier-test-alerts" }
    override_during = plan
  }
}

variables {
  name_prefix    = "courier-test"
  kms_key_arn    = "arn:aws:kms:us-east-1:123456789012:key/k"
  db_instance_id = "courier-test"
  queue_name     = "courier-test-work"
  dlq_name       = "courier-test-dlq"
  alb_arn_suffix = "app/courier-test/abc"
  cluster_name   = "courier-test-cluster"
  service_name   = "courier-test-courier"
}

run "alarm_thresholds_and_periods" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["rds-cpu"].threshold == 80 && aws_cloudwatch_metric_alarm.this["rds-cpu"].period * aws_cloudwatch_metric_alarm.this["rds-cpu"].evaluation_periods == 300
    error_message = "RDS CPU alarms above 80 % for 5 minutes."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["queue-depth"].threshold == 100 && aws_cloudwatch_metric_alarm.this["queue-depth"].period * aws_cloudwatch_metric_alarm.this["queue-depth"].evaluation_periods == 600
    error_message = "Queue depth alarms above 100 visible messages for 10 minutes."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["dlq-depth"].threshold == 0 && aws_cloudwatch_metric_alarm.this["dlq-depth"].comparison_operator == "GreaterThanThreshold"
    error_message = "Any message in the DLQ alarms."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["queue-age"].metric_name == "ApproximateAgeOfOldestMessage"
    error_message = "The age of the oldest message has an alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["alb-5xx"].namespace == "AWS/ApplicationELB"
    error_message = "ALB 5xx has an alarm."
  }

  assert {
    condition     = anytrue([for q in aws_cloudwatch_metric_alarm.running_below_desired.metric_query : q.expression == "desired - running"])
    error_message = "Running below desired has an alarm."
  }
}

run "every_alarm_shares_the_prefix_and_notifies_the_alerts_topic" {
  command = plan

  assert {
    condition = alltrue(concat(
      [for a in aws_cloudwatch_metric_alarm.this : startswith(a.alarm_name, "courier-test-")],
      [startswith(aws_cloudwatch_metric_alarm.running_below_desired.alarm_name, "courier-test-")],
    ))
    error_message = "Every alarm name starts with the stack's alarm prefix."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) + 1 == 6
    error_message = "The stack has its six alarms."
  }

  assert {
    condition = alltrue(concat(
      [for a in aws_cloudwatch_metric_alarm.this : a.alarm_actions == toset([aws_sns_topic.alerts.arn])],
      [aws_cloudwatch_metric_alarm.running_below_desired.alarm_actions == toset([aws_sns_topic.alerts.arn])],
    ))
    error_message = "Every alarm notifies the alerts topic."
  }
}
