variable "name_prefix" {
  description = "Prefix of the policy names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be lower-case letters, digits and dashes, 2-31 characters."
  }
}

variable "region" {
  description = "Region of the stack."
  type        = string
}

variable "stack_name" {
  description = "Stack whose discovery parameters stackdeck reads."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster."
  type        = string
}

variable "service_name" {
  description = "ECS service."
  type        = string
}

variable "queue_arns" {
  description = "Work queue and DLQ."
  type        = list(string)
}

variable "work_queue_arn" {
  description = "The work queue (redrive destination)."
  type        = string
}

variable "dlq_arn" {
  description = "The dead-letter queue (purge --dlq, redrive source)."
  type        = string
}

variable "log_group_arn" {
  description = "The service's log group."
  type        = string
}

variable "db_instance_arn" {
  description = "The RDS instance."
  type        = string
}

variable "target_group_arn" {
  description = "The ALB target group."
  type        = string
}

variable "alarm_prefix" {
  description = "Prefix of the stack's alarms."
  type        = string
}

variable "kms_key_arn" {
  description = "The stack's key (SQS messages are encrypted with it)."
  type        = string
}
