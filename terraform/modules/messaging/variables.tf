variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be lower-case letters, digits and dashes, 2-31 characters."
  }
}

variable "message_retention_seconds" {
  description = "How long the work queue keeps a message (the DLQ keeps them longer)."
  type        = number
  default     = 345600 # 4 days

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "dlq_retention_seconds" {
  description = "How long the dead-letter queue keeps a message; must exceed the work queue's."
  type        = number
  default     = 1209600 # 14 days
}

variable "max_receive_count" {
  description = "Receives before a message moves to the DLQ."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "visibility_timeout_seconds" {
  description = "Work queue visibility timeout: longer than the worker's processing of a batch."
  type        = number
  default     = 60
}

variable "enable_redrive_allow_policy" {
  description = "Restrict which queues may use the DLQ. Off only where the endpoint mishandles it (moto)."
  type        = bool
  default     = true
}

variable "enable_queue_policy" {
  description = "Attach the queue policy that lets only the topic send. Off only where the endpoint drops it on later attribute updates (moto)."
  type        = bool
  default     = true
}
