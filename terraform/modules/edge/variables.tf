variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,26}$", var.name_prefix))
    error_message = "name_prefix must be lower-case letters, digits and dashes, 2-27 characters (ALB names are short)."
  }
}

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC (the ALB reaches tasks inside it)."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets of the ALB (two or more AZs)."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "An ALB needs subnets in at least two AZs."
  }
}

variable "container_port" {
  description = "Port courier listens on."
  type        = number
  default     = 5678
}

variable "health_check_path" {
  description = "Target group health check: courier's readiness (PostgreSQL reachable)."
  type        = string
  default     = "/readyz"
}

variable "deregistration_delay_seconds" {
  description = "How long a draining target keeps its in-flight requests; the task's stop timeout must exceed it."
  type        = number
  default     = 30

  validation {
    condition     = var.deregistration_delay_seconds >= 0 && var.deregistration_delay_seconds <= 3600
    error_message = "deregistration_delay_seconds must be 0-3600."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancer."
  type        = bool
  default     = true
}

variable "domain_name" {
  description = "Serve HTTPS on this name (ACM certificate validated in Route53, HTTP redirected to HTTPS). Null: HTTP only."
  type        = string
  default     = null
}

variable "route53_zone_id" {
  description = "Hosted zone of domain_name."
  type        = string
  default     = null
}
