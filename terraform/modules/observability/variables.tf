variable "name_prefix" {
  description = "Prefix of every resource name; every alarm's name starts with `<name_prefix>-`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be lower-case letters, digits and dashes, 2-31 characters."
  }
}

variable "kms_key_arn" {
  description = "Key of the log group and the alerts topic."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the service's log group."
  type        = number
  default     = 365
}

variable "db_instance_id" {
  description = "RDS instance of the CPU alarm."
  type        = string
}

variable "queue_name" {
  description = "Work queue of the depth and age alarms."
  type        = string
}

variable "dlq_name" {
  description = "Dead-letter queue of the DLQ alarm."
  type        = string
}

variable "alb_arn_suffix" {
  description = "ALB of the 5xx alarm."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster of the running-tasks alarm."
  type        = string
}

variable "service_name" {
  description = "ECS service of the running-tasks alarm."
  type        = string
}

variable "rds_cpu_threshold_percent" {
  description = "RDS CPU above this for 5 minutes alarms."
  type        = number
  default     = 80
}

variable "queue_depth_threshold" {
  description = "Visible messages above this for 10 minutes alarms."
  type        = number
  default     = 100
}

variable "queue_age_threshold_seconds" {
  description = "Age of the oldest message above this for 5 minutes alarms."
  type        = number
  default     = 300
}

variable "alb_5xx_threshold" {
  description = "5xx answers per minute above this for 3 minutes alarms."
  type        = number
  default     = 10
}

variable "alert_emails" {
  description = "Addresses subscribed to the alerts topic."
  type        = list(string)
  default     = []
}

variable "enable_budget" {
  description = "A monthly cost budget for the account. Off only where the endpoint leaves the provider waiting on a new budget (moto)."
  type        = bool
  default     = true
}

variable "enable_budget_notifications" {
  description = "Notify the alerts topic at 80 % actual and 100 % forecast spend. Off where the endpoint hangs on budget subscribers (moto)."
  type        = bool
  default     = true
}

variable "monthly_budget_usd" {
  description = "Monthly budget in USD."
  type        = number
  default     = 200

  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be positive."
  }
}
