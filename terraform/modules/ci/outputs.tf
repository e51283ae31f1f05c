output "ecr_repository_url" {
  description = "Repository of courier's images."
  value       = aws_ecr_repository.courier.repository_url
}

output "ecr_repository_name" {
  description = "Its name (the ECR_REPOSITORY repository variable)."
  value       = aws_ecr_repository.courier.name
}

output "ecr_repository_arn" {
  description = "Its ARN."
  value       = aws_ecr_repository.courier.arn
}

output "plan_role_arn" {
  description = "AWS_PLAN_ROLE_ARN: pull requests' read-only plan role."
  value       = aws_iam_role.plan.arn
}

output "terraform_role_arn" {
  description = "AWS_TERRAFORM_ROLE_ARN: the production environment's apply role."
  value       = aws_iam_role.terraform.arn
}

output "deploy_role_arn" {
  description = "AWS_DEPLOY_ROLE_ARN: the production environment's deploy role."
  value       = aws_iam_role.deploy.arn
}

output "trust_subjects" {
  description = "The exact OIDC subjects each role trusts."
  value = {
    plan      = local.pr_subject
    terraform = local.env_subject
    deploy    = local.env_subject
  }
}

output "deploy_policy_json" {
  description = "The deploy role's policy (for plan-level tests)."
  value       = data.aws_iam_policy_document.deploy.json
}
