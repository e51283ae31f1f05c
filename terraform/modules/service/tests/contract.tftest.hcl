# Plan-level contract of the service module (no AWS: a mocked provider).

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
  name_prefix                  = "courier-test"
  region                       = "us-east-1"
  vpc_id                       = "vpc-1"
  private_subnet_ids           = ["subnet-a", "subnet-b"]
  alb_security_group_id        = "sg-alb"
  target_group_arn             = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/courier-test-tg/abc"
  alb_request_count_label      = "app/courier-test/abc/targetgroup/courier-test-tg/def"
  deregistration_delay_seconds = 30
  image                        = "123456789012.dkr.ecr.us-east-1.amazonaws.com/courier-test-courier:abc"
  ecr_repository_arn           = "arn:aws:ecr:us-east-1:123456789012:repository/courier-test-courier"
  log_group_name               = "/ecs/courier-test"
  log_group_arn                = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/courier-test"
  kms_key_arn                  = "arn:aws:kms:us-east-1:123456789012:key/k"
  table_name                   = "courier-test-idempotency"
  table_arn                    = "arn:aws:dynamodb:us-east-1:123456789012:table/courier-test-idempotency"
  topic_arn                    = "arn:aws:sns:us-east-1:123456789012:courier-test-messages"
  queue_url                    = "https://sqs.us-east-1.amazonaws.com/123456789012/courier-test-work"
  queue_arn                    = "arn:aws:sqs:us-east-1:123456789012:courier-test-work"
  db_host                      = "db.internal"
  db_name                      = "courier"
  db_user                      = "courier"
  db_password_secret_arn       = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds-db-credentials"
}

run "deployments_are_safe" {
  command = plan

  assert {
    condition     = aws_ecs_service.courier.deployment_circuit_breaker[0].enable && aws_ecs_service.courier.deployment_circuit_breaker[0].rollback
    error_message = "The deployment circuit breaker must be on, with rollback."
  }

  assert {
    condition     = aws_ecs_service.courier.deployment_minimum_healthy_percent == 100 && aws_ecs_service.courier.deployment_maximum_percent == 200
    error_message = "Deployments must keep 100 % healthy and may run up to 200 %."
  }

  assert {
    condition     = length(aws_ecs_service.courier.capacity_provider_strategy) == 2
    error_message = "FARGATE and FARGATE_SPOT make up the capacity provider strategy by default."
  }

  assert {
    condition     = !aws_ecs_service.courier.network_configuration[0].assign_public_ip
    error_message = "Tasks get no public IP."
  }
}

run "the_container_is_hardened" {
  command = plan

  assert {
    condition     = jsondecode(aws_ecs_task_definition.courier.container_definitions)[0].readonlyRootFilesystem
    error_message = "The root filesystem must be read-only."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.courier.container_definitions)[0].user == "10001:10001" && !jsondecode(aws_ecs_task_definition.courier.container_definitions)[0].privileged
    error_message = "courier runs as a non-root user without privilege."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.courier.container_definitions)[0].stopTimeout > var.deregistration_delay_seconds
    error_message = "The stop timeout must exceed the target group's deregistration delay."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.courier.container_definitions)[0].secrets[0].valueFrom == "${var.db_password_secret_arn}:password::"
    error_message = "DB_PASSWORD comes from the RDS-managed secret's password key."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.courier.container_definitions)[0].logConfiguration.logDriver == "awslogs"
    error_message = "Logs go through the awslogs driver."
  }
}

run "the_task_role_reaches_only_this_stack" {
  command = plan

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.task.statement :
      alltrue([for r in s.resources : contains([var.table_arn, var.topic_arn, var.queue_arn, var.kms_key_arn], r)])
    ])
    error_message = "Every task role statement names only the stack's table, topic, queue or key."
  }

  assert {
    condition     = length(data.aws_iam_policy_document.task.statement) == 4
    error_message = "The task role has exactly its four statements."
  }
}
