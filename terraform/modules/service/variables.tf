variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be lower-case letters, digits and dashes, 2-31 characters."
  }
}

variable "region" {
  description = "AWS region (for the awslogs driver and courier's SDK)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the tasks."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets of the tasks."
  type        = list(string)
}

variable "alb_security_group_id" {
  description = "Security group of the ALB: the only source the tasks admit on the container port."
  type        = string
}

variable "target_group_arn" {
  description = "Target group the service registers its tasks in."
  type        = string
}

variable "alb_request_count_label" {
  description = "`<alb arn suffix>/<target group arn suffix>`, for scaling on requests per target."
  type        = string
}

variable "deregistration_delay_seconds" {
  description = "The target group's deregistration delay: the container's stop timeout is set above it."
  type        = number
}

variable "image" {
  description = "courier's container image (repository URL and tag)."
  type        = string
}

variable "ecr_repository_arn" {
  description = "ECR repository the execution role may pull from."
  type        = string
}

variable "container_port" {
  description = "Port courier listens on."
  type        = number
  default     = 5678
}

variable "cpu" {
  description = "Task CPU units."
  type        = number
  default     = 256
}

variable "memory" {
  description = "Task memory (MiB)."
  type        = number
  default     = 512
}

variable "desired_count" {
  description = "Tasks at creation (autoscaling owns the count afterwards)."
  type        = number
  default     = 2

  validation {
    condition     = var.desired_count >= 1
    error_message = "Run at least one task."
  }
}

variable "min_count" {
  description = "Autoscaling minimum."
  type        = number
  default     = 2
}

variable "max_count" {
  description = "Autoscaling maximum."
  type        = number
  default     = 10
}

variable "cpu_target_percent" {
  description = "Average CPU the service scales to hold."
  type        = number
  default     = 60
}

variable "requests_per_target" {
  description = "ALB requests per target per minute the service scales to hold."
  type        = number
  default     = 1000
}

variable "courier_role" {
  description = "COURIER_ROLE of the tasks: api, worker, or all."
  type        = string
  default     = "all"

  validation {
    condition     = contains(["api", "worker", "all"], var.courier_role)
    error_message = "courier_role must be api, worker or all."
  }
}

variable "log_group_name" {
  description = "Log group of the awslogs driver."
  type        = string
}

variable "log_group_arn" {
  description = "ARN of that log group (the execution role writes to it only)."
  type        = string
}

variable "kms_key_arn" {
  description = "The stack's KMS key (queue, topic, table and secret are encrypted with it)."
  type        = string
}

variable "table_name" {
  description = "DynamoDB idempotency table."
  type        = string
}

variable "table_arn" {
  description = "Its ARN."
  type        = string
}

variable "topic_arn" {
  description = "SNS topic courier publishes to."
  type        = string
}

variable "queue_url" {
  description = "SQS work queue courier's worker consumes."
  type        = string
}

variable "queue_arn" {
  description = "Its ARN."
  type        = string
}

variable "db_host" {
  description = "PostgreSQL host."
  type        = string
}

variable "db_port" {
  description = "PostgreSQL port."
  type        = number
  default     = 5432
}

variable "db_name" {
  description = "Database name."
  type        = string
}

variable "db_user" {
  description = "Database user."
  type        = string
}

variable "db_sslmode" {
  description = "DB_SSLMODE of courier (require against RDS)."
  type        = string
  default     = "require"
}

variable "db_password_secret_arn" {
  description = "Secrets Manager secret (RDS-managed master secret) whose `password` key becomes DB_PASSWORD. Null: no secret injected (the database is reached another way, e.g. DATABASE_URL)."
  type        = string
  default     = null
}

variable "use_capacity_providers" {
  description = "Run on the FARGATE + FARGATE_SPOT capacity provider strategy; off: launch type FARGATE (endpoints that drop the strategy, such as moto)."
  type        = bool
  default     = true
}

variable "fargate_weight" {
  description = "Weight of on-demand FARGATE in the strategy."
  type        = number
  default     = 1
}

variable "fargate_spot_weight" {
  description = "Weight of FARGATE_SPOT in the strategy (0: none)."
  type        = number
  default     = 1
}

variable "fargate_base" {
  description = "Tasks always on on-demand FARGATE, whatever the weights."
  type        = number
  default     = 1
}

variable "health_check_grace_period_seconds" {
  description = "Time a new task gets before the ALB health check counts."
  type        = number
  default     = 30
}

variable "enable_autoscaling" {
  description = "Application Auto Scaling on CPU and on requests per target. Off where the endpoint cannot tag scalable targets (moto)."
  type        = bool
  default     = true
}

variable "wait_for_steady_state" {
  description = "Make apply wait for the service to be steady. Off where nothing runs the tasks (moto)."
  type        = bool
  default     = true
}

variable "enable_container_insights" {
  description = "CloudWatch Container Insights on the cluster."
  type        = bool
  default     = true
}

variable "deployment_alarm_names" {
  description = "CloudWatch alarms that fail and roll back a deployment when they go to ALARM during it (empty: none)."
  type        = list(string)
  default     = []
}

variable "enable_execute_command" {
  description = "ECS Exec into the tasks (stackdeck exec, aws ecs execute-command): the service's enableExecuteCommand and the task role's ssmmessages actions. Each session is logged by CloudTrail."
  type        = bool
  default     = false
}
