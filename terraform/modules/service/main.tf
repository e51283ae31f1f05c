# The ECS cluster and courier's Fargate service: task definition, roles, security group,
# deployment safety (circuit breaker with rollback, 100/200), and autoscaling.

locals {
  family = "${var.name_prefix}-courier"
  # The container stops after the ALB has drained it (AWS caps stopTimeout at 120 s).
  stop_timeout = min(var.deregistration_delay_seconds + 15, 120)

  environment = [
    { name = "COURIER_ROLE", value = var.courier_role },
    { name = "COURIER_PORT", value = tostring(var.container_port) },
    { name = "COURIER_TABLE", value = var.table_name },
    { name = "COURIER_TOPIC_ARN", value = var.topic_arn },
    { name = "COURIER_QUEUE_URL", value = var.queue_url },
    { name = "AWS_REGION", value = var.region },
    { name = "DB_HOST", value = var.db_host },
    { name = "DB_PORT", value = tostring(var.db_port) },
    { name = "DB_NAME", value = var.db_name },
    { name = "DB_USER", value = var.db_user },
    { name = "DB_SSLMODE", value = var.db_sslmode },
    { name = "RUST_LOG", value = "info" },
  ]

  secrets = var.db_password_secret_arn == null ? [] : [
    { name = "DB_PASSWORD", valueFrom = "${var.db_password_secret_arn}:password::" },
  ]
}

resource "aws_ecs_cluster" "this" {
  name = "${var.name_prefix}-cluster"

  setting {
    name  = "containerInsights"
    value = var.enable_container_insights ? "enabled" : "disabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  count              = var.use_capacity_providers ? 1 : 0
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]
}

resource "aws_security_group" "tasks" {
  name        = "${var.name_prefix}-tasks"
  description = "courier tasks: the ALB in, HTTPS and PostgreSQL out"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "courier from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = var.alb_security_group_id
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.tasks.id
  description       = "AWS APIs and ECR over HTTPS (through the NAT)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "postgres" {
  security_group_id = aws_security_group.tasks.id
  description       = "PostgreSQL inside the VPC"
  ip_protocol       = "tcp"
  from_port         = var.db_port
  to_port           = var.db_port
  cidr_ipv4         = "10.0.0.0/8"
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# Execution role: pull the image, write the logs, read the DB password. Nothing else.
resource "aws_iam_role" "execution" {
  name               = "${var.name_prefix}-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # GetAuthorizationToken has no resource-level permissions
  }

  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = [var.ecr_repository_arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${var.log_group_arn}:*"]
  }

  dynamic "statement" {
    for_each = var.db_password_secret_arn == null ? [] : [1]
    content {
      sid       = "DbPassword"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.db_password_secret_arn]
    }
  }

  dynamic "statement" {
    for_each = var.db_password_secret_arn == null ? [] : [1]
    content {
      sid       = "DbPasswordKey"
      actions   = ["kms:Decrypt"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# Task role: courier's own calls, on this stack's table, topic and queue only.
resource "aws_iam_role" "task" {
  name               = "${var.name_prefix}-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "Idempotency"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [var.table_arn]
  }

  statement {
    sid       = "Publish"
    actions   = ["sns:Publish"]
    resources = [var.topic_arn]
  }

  statement {
    sid       = "Consume"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [var.queue_arn]
  }

  statement {
    sid       = "StackKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  # ECS Exec (`stackdeck exec`, `aws ecs execute-command`): the task's SSM agent opens its
  # channels. These actions take no resource ARN.
  dynamic "statement" {
    for_each = var.enable_execute_command ? [1] : []
    content {
      sid       = "ExecuteCommand"
      actions   = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "courier"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

resource "aws_ecs_task_definition" "courier" {
  family                   = local.family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name                   = "courier"
    image                  = var.image
    essential              = true
    memory                 = var.memory
    user                   = "10001:10001"
    readonlyRootFilesystem = true
    privileged             = false
    stopTimeout            = local.stop_timeout
    portMappings           = [{ containerPort = var.container_port, protocol = "tcp" }]
    environment            = local.environment
    secrets                = local.secrets
    linuxParameters        = { initProcessEnabled = true, capabilities = { drop = ["ALL"] } }
    healthCheck = {
      command     = ["CMD", "/usr/local/bin/courier", "healthcheck"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 10
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_name
        awslogs-region        = var.region
        awslogs-stream-prefix = "courier"
      }
    }
  }])
}

resource "aws_ecs_service" "courier" {
  name                               = "${var.name_prefix}-courier"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.courier.arn
  desired_count                      = var.desired_count
  launch_type                        = var.use_capacity_providers ? null : "FARGATE"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.health_check_grace_period_seconds
  enable_ecs_managed_tags            = true
  enable_execute_command             = var.enable_execute_command
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = var.wait_for_steady_state

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # Deployment alarms: a deployment during which one of them goes to ALARM fails and rolls back
  # (the queue backing up, the ALB's 5xx), where the circuit breaker sees only failed tasks.
  dynamic "alarms" {
    for_each = length(var.deployment_alarm_names) > 0 ? [var.deployment_alarm_names] : []
    content {
      alarm_names = alarms.value
      enable      = true
      rollback    = true
    }
  }

  dynamic "capacity_provider_strategy" {
    for_each = var.use_capacity_providers ? [
      { provider = "FARGATE", weight = var.fargate_weight, base = var.fargate_base },
      { provider = "FARGATE_SPOT", weight = var.fargate_spot_weight, base = 0 },
    ] : []
    content {
      capacity_provider = capacity_provider_strategy.value.provider
      weight            = capacity_provider_strategy.value.weight
      base              = capacity_provider_strategy.value.base
    }
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = "courier"
    container_port   = var.container_port
  }

  lifecycle {
    # Autoscaling owns the count; deploys (CI, stackdeck) own the task definition revision.
    ignore_changes = [desired_count, task_definition]
  }

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

resource "aws_appautoscaling_target" "courier" {
  count              = var.enable_autoscaling ? 1 : 0
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.courier.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_count
  max_capacity       = var.max_count
}

resource "aws_appautoscaling_policy" "cpu" {
  count              = var.enable_autoscaling ? 1 : 0
  name               = "${var.name_prefix}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.courier[0].service_namespace
  resource_id        = aws_appautoscaling_target.courier[0].resource_id
  scalable_dimension = aws_appautoscaling_target.courier[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value = var.cpu_target_percent
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  count              = var.enable_autoscaling ? 1 : 0
  name               = "${var.name_prefix}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.courier[0].service_namespace
  resource_id        = aws_appautoscaling_target.courier[0].resource_id
  scalable_dimension = aws_appautoscaling_target.courier[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value = var.requests_per_target
    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = var.alb_request_count_label
    }
  }
}
