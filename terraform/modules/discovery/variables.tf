variable "stack_name" {
  description = "Stack name: the parameters go under /stackdeck/<stack_name>/."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.stack_name))
    error_message = "stack_name may hold letters, digits, dots, dashes and underscores."
  }
}

variable "values" {
  description = "The discovery values: exactly the twelve keys of ARCHITECTURE.md."
  type        = map(string)

  validation {
    condition = sort(keys(var.values)) == sort([
      "cluster", "service", "task_family", "queue_url", "dlq_url", "topic_arn", "db_instance_id",
      "dynamodb_table", "log_group", "alarm_prefix", "target_group_arn", "load_balancer_arn",
    ])
    error_message = "values must hold exactly the twelve discovery keys of ARCHITECTURE.md."
  }
}
