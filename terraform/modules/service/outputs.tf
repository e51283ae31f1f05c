output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ECS cluster ARN."
  value       = aws_ecs_cluster.this.arn
}

output "service_name" {
  description = "ECS service name."
  value       = aws_ecs_service.courier.name
}

output "service_arn" {
  description = "ECS service ARN."
  value       = "arn:aws:ecs:${var.region}:${split(":", aws_ecs_cluster.this.arn)[4]}:service/${aws_ecs_cluster.this.name}/${aws_ecs_service.courier.name}"
}

output "task_family" {
  description = "Task definition family."
  value       = aws_ecs_task_definition.courier.family
}

output "task_definition_arn" {
  description = "Task definition revision Terraform registered."
  value       = aws_ecs_task_definition.courier.arn
}

output "task_role_arn" {
  description = "courier's task role."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "The task execution role."
  value       = aws_iam_role.execution.arn
}

output "task_role_policy_json" {
  description = "The task role's policy (for plan-level tests of its scope)."
  value       = data.aws_iam_policy_document.task.json
}

output "security_group_id" {
  description = "Security group of the tasks (the database admits it)."
  value       = aws_security_group.tasks.id
}

output "stop_timeout_seconds" {
  description = "Container stop timeout (above the target group's deregistration delay)."
  value       = local.stop_timeout
}

output "container_environment" {
  description = "courier's environment in the task definition, as name => value (the contract with courier)."
  value       = { for e in local.environment : e.name => e.value }
}

output "container_secrets" {
  description = "Secrets injected into courier's container, as name => valueFrom (DB_PASSWORD when a secret is given)."
  value       = { for s in local.secrets : s.name => s.valueFrom }
}
