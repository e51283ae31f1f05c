variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be lower-case letters, digits and dashes, 2-31 characters."
  }
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the DB subnet group (two or more AZs)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "An RDS subnet group needs subnets in at least two AZs."
  }
}

variable "client_security_group_ids" {
  description = "Security groups allowed to reach PostgreSQL on 5432 (the ECS tasks). Nothing else is."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key for storage, Performance Insights, the table and the master secret."
  type        = string
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.micro"
}

variable "allocated_storage_gb" {
  description = "Initial storage; autoscaling grows it up to 5x."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage_gb >= 20
    error_message = "allocated_storage_gb must be at least 20."
  }
}

variable "engine_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "15"
}

variable "database_name" {
  description = "Database courier uses."
  type        = string
  default     = "courier"
}

variable "master_username" {
  description = "Master user name."
  type        = string
  default     = "courier"
}

variable "multi_az" {
  description = "Standby in a second AZ."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Automated backup retention."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1
    error_message = "Keep at least one day of backups."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the database and the table."
  type        = bool
  default     = true
}

variable "final_snapshot" {
  description = "Take a final snapshot when the instance is destroyed."
  type        = bool
  default     = true
}

variable "manage_master_password" {
  description = "Let RDS keep the master password in Secrets Manager (the task definition injects it). Off only for an endpoint without RDS-managed secrets; then master_password is used."
  type        = bool
  default     = true
}

variable "master_password" {
  description = "Master password when manage_master_password is off (local stacks only)."
  type        = string
  default     = null
  sensitive   = true
}

variable "enable_enhanced_monitoring" {
  description = "RDS enhanced monitoring every 60 s (needs a monitoring role)."
  type        = bool
  default     = true
}
