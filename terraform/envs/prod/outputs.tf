output "plan_role_arn" {
  description = "Repository variable AWS_PLAN_ROLE_ARN."
  value       = module.ci.plan_role_arn
}

output "terraform_role_arn" {
  description = "Repository variable AWS_TERRAFORM_ROLE_ARN."
  value       = module.ci.terraform_role_arn
}

output "deploy_role_arn" {
  description = "Repository variable AWS_DEPLOY_ROLE_ARN."
  value       = module.ci.deploy_role_arn
}

output "ecr_repository" {
  description = "Repository variable ECR_REPOSITORY."
  value       = module.ci.ecr_repository_name
}

output "region" {
  description = "Repository variable AWS_REGION."
  value       = var.region
}

output "stack_name" {
  description = "Repository variable STACKDECK_STACK."
  value       = var.stack_name
}

output "alb_dns_name" {
  description = "Where courier answers."
  value       = module.edge.dns_name
}

output "operator_policy_arn" {
  description = "Attach to on-call engineers who act."
  value       = module.operator.operator_policy_arn
}

output "read_only_policy_arn" {
  description = "Attach to on-call engineers who watch."
  value       = module.operator.read_only_policy_arn
}
