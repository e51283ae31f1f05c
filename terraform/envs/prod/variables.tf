variable "region" {
  description = "Region of the production stack."
  type        = string
  default     = "us-east-1"
}

variable "stack_name" {
  description = "Name of the stack: name_prefix of every resource and the SSM discovery path."
  type        = string
  default     = "courier-prod"
}

variable "github_repository" {
  description = "The repository whose workflows deploy this stack, as org/repo."
  type        = string
}

variable "image_tag" {
  description = "Image tag of the first task definition; later deploys come from CI (deploy.yml)."
  type        = string
  default     = "bootstrap"
}

variable "domain_name" {
  description = "Public name of courier (HTTPS); null serves plain HTTP on the ALB's own name."
  type        = string
  default     = null
}

variable "route53_zone_id" {
  description = "Hosted zone of domain_name."
  type        = string
  default     = null
}

variable "alert_emails" {
  description = "Addresses that get the alarms."
  type        = list(string)
  default     = []
}

variable "monthly_budget_usd" {
  description = "Monthly cost budget."
  type        = number
  default     = 300
}

variable "fargate_spot_weight" {
  description = "Share of FARGATE_SPOT tasks (cost versus interruption)."
  type        = number
  default     = 1
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per AZ (resilience) rather than one shared."
  type        = bool
  default     = true
}
