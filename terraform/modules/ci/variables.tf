variable "name_prefix" {
  description = "Prefix of every resource name (roles, repository)."
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

variable "github_repository" {
  description = "The one GitHub repository whose workflows may assume the roles, as org/repo."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be org/repo."
  }
}

variable "github_environment" {
  description = "GitHub environment of the deploy jobs (its reviewers gate the apply)."
  type        = string
  default     = "production"
}

variable "create_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (one per account); false: use oidc_provider_arn."
  type        = bool
  default     = true
}

variable "oidc_provider_arn" {
  description = "Existing GitHub OIDC provider when create_oidc_provider is false."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "Key that encrypts the image repository."
  type        = string
}

variable "state_bucket_arn" {
  description = "S3 bucket of the Terraform state (the plan role reads it; the Terraform role writes it)."
  type        = string
}

variable "stack_name" {
  description = "Stack whose SSM discovery parameters the deploy reads (/stackdeck/<stack_name>/)."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster the deploy role updates."
  type        = string
}

variable "service_name" {
  description = "ECS service the deploy role updates."
  type        = string
}

variable "passable_role_arns" {
  description = "The task and execution roles a registered task definition may name (iam:PassRole)."
  type        = list(string)
}

variable "queue_arns" {
  description = "Queues whose attributes the health gate reads."
  type        = list(string)
}

variable "alarm_prefix" {
  description = "Prefix of the alarms the health gate reads."
  type        = string
}

variable "images_to_keep" {
  description = "Tagged images the lifecycle policy keeps (rollback targets)."
  type        = number
  default     = 30
}
