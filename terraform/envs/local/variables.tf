variable "aws_endpoint" {
  description = "URL of the local AWS endpoint (devstack's agent in front of moto) that every service endpoint points at."
  type        = string
  default     = "http://127.0.0.1:4566"

  validation {
    condition     = can(regex("^https?://", var.aws_endpoint))
    error_message = "aws_endpoint must be an http(s) URL, e.g. http://127.0.0.1:4566."
  }
}

variable "stack_name" {
  description = "Name of the local stack: the name_prefix of every resource and the SSM discovery path /stackdeck/<stack_name>/."
  type        = string
  default     = "courier-local"
}

variable "region" {
  description = "Region of the local stack."
  type        = string
  default     = "us-east-1"
}

variable "github_repository" {
  description = "Repository the local CI roles trust (they are never assumed locally)."
  type        = string
  default     = "stackdeck/stackdeck"
}
