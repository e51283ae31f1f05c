# Plan-level contract of the discovery parameters (ARCHITECTURE.md).

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
}

variables {
  stack_name = "courier-test"
  values = {
    cluster           = "c"
    service           = "s"
    task_family       = "f"
    queue_url         = "q"
    dlq_url           = "d"
    topic_arn         = "t"
    db_instance_id    = "db"
    dynamodb_table    = "tbl"
    log_group         = "lg"
    alarm_prefix      = "ap"
    target_group_arn  = "tg"
    load_balancer_arn = "lb"
  }
}

run "every_discovery_key_is_written" {
  command = plan

  assert {
    condition = toset([for p in aws_ssm_parameter.this : p.name]) == toset([
      for k in ["cluster", "service", "task_family", "queue_url", "dlq_url", "topic_arn", "db_instance_id",
      "dynamodb_table", "log_group", "alarm_prefix", "target_group_arn", "load_balancer_arn"] : "/stackdeck/courier-test/${k}"
    ])
    error_message = "All twelve discovery parameters are written under /stackdeck/<stack>/."
  }

  assert {
    condition     = alltrue([for p in aws_ssm_parameter.this : p.type == "String"])
    error_message = "Discovery parameters are String parameters."
  }
}

run "a_missing_key_is_refused" {
  command = plan

  variables {
    values = { cluster = "c" }
  }

  expect_failures = [var.values]
}
