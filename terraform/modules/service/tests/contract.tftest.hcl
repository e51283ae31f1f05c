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
  deployment_alarm_names       = ["courier-test-queue-depth", "courier-test-alb-5xx"]
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
    condition     = aws_ecs_service.courier.alarms[0].enable && aws_ecs_service.courier.alarms[0].rollback && toset(aws_ecs_service.courier.alarms[0].alarm_names) == toset(["courier-test-queue-depth", "courier-test-alb-5xx"])
    error_message = "The deployment alarms must roll a deployment back."
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

run "courier_gets_the_environment_of_its_contract" {
  command = plan

  assert {
    condition = toset(keys(output.container_environment)) == toset([
      "COURIER_ROLE", "COURIER_PORT", "COURIER_TABLE", "COURIER_TOPIC_ARN", "COURIER_QUEUE_URL", "AWS_REGION",
      "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_SSLMODE", "RUST_LOG",
    ])
    error_message = "courier's container gets exactly COURIER_ROLE/PORT/TABLE/TOPIC_ARN/QUEUE_URL, AWS_REGION, DB_HOST/PORT/NAME/USER/SSLMODE (and RUST_LOG)."
  }

  assert {
    condition = (
      output.container_environment.COURIER_ROLE == "all" && output.container_environment.COURIER_PORT == "5678" &&
      output.container_environment.COURIER_TABLE == var.table_name && output.container_environment.COURIER_TOPIC_ARN == var.topic_arn &&
      output.container_environment.COURIER_QUEUE_URL == var.queue_url && output.container_environment.DB_SSLMODE == "require"
    )
    error_message = "The environment carries the stack's table, topic and queue, port 5678, and DB_SSLMODE=require by default."
  }

  assert {
    condition     = keys(output.container_secrets) == ["DB_PASSWORD"]
    error_message = "The only secret is DB_PASSWORD."
  }
}

run "health_checks_and_logs" {
  command = plan

  assert {
    condition     = jsondecode(aws_ecs_task_definition.courier.container_definitions)[0].healthCheck.command == ["CMD", "/usr/local/bin/courier", "healthcheck"]
    error_message = "The container health check is `courier healthcheck` (GET /healthz: the image has no shell or curl)."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.courier.container_definitions)[0].logConfiguration.options == { awslogs-group = var.log_group_name, awslogs-region = var.region, awslogs-stream-prefix = "courier" }
    error_message = "Logs go to the stack's log group with stream prefix courier."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.courier.container_definitions)[0].portMappings[0].containerPort == 5678
    error_message = "courier's container port is 5678."
  }
}

run "local_endpoints_switch_off_what_they_cannot_do" {
  command = plan

  variables {
    use_capacity_providers            = false
    enable_autoscaling                = false
    wait_for_steady_state             = false
    health_check_grace_period_seconds = 0
    db_password_secret_arn            = null
  }

  assert {
    condition     = aws_ecs_service.courier.launch_type == "FARGATE" && length(aws_ecs_service.courier.capacity_provider_strategy) == 0
    error_message = "Without capacity providers the service runs on launch type FARGATE."
  }

  assert {
    condition     = length(aws_appautoscaling_target.courier) == 0 && !aws_ecs_service.courier.wait_for_steady_state
    error_message = "Autoscaling and the steady-state wait are off."
  }

  assert {
    condition     = aws_ecs_service.courier.deployment_circuit_breaker[0].enable && aws_ecs_service.courier.deployment_circuit_breaker[0].rollback
    error_message = "The circuit breaker stays on whatever is switched off."
  }

  assert {
    condition     = length(output.container_secrets) == 0
    error_message = "Without a secret ARN no secret is injected."
  }
}

run "autoscaling_on_cpu_and_requests" {
  command = plan

  assert {
    condition     = aws_appautoscaling_policy.cpu[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization"
    error_message = "The service scales on CPU."
  }

  assert {
    condition     = aws_appautoscaling_policy.requests[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ALBRequestCountPerTarget"
    error_message = "The service scales on requests per target."
  }
}

run "exec_is_off_unless_asked" {
  command = plan

  assert {
    condition     = !aws_ecs_service.courier.enable_execute_command
    error_message = "ECS Exec must be off by default."
  }
}

run "exec_on_opens_the_service" {
  command = plan

  variables {
    enable_execute_command = true
  }

  assert {
    condition     = aws_ecs_service.courier.enable_execute_command
    error_message = "enable_execute_command must reach the service."
  }
}
