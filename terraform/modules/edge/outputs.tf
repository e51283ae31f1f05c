output "load_balancer_arn" {
  description = "ALB ARN."
  value       = aws_lb.this.arn
}

output "load_balancer_arn_suffix" {
  description = "ALB ARN suffix (CloudWatch dimension)."
  value       = aws_lb.this.arn_suffix
}

output "dns_name" {
  description = "ALB DNS name."
  value       = aws_lb.this.dns_name
}

output "target_group_arn" {
  description = "Target group of courier's tasks."
  value       = aws_lb_target_group.courier.arn
}

output "target_group_arn_suffix" {
  description = "Target group ARN suffix (CloudWatch dimension)."
  value       = aws_lb_target_group.courier.arn_suffix
}

output "security_group_id" {
  description = "Security group of the ALB (the tasks admit it)."
  value       = aws_security_group.alb.id
}

output "deregistration_delay_seconds" {
  description = "Target deregistration delay (the task stop timeout must exceed it)."
  value       = var.deregistration_delay_seconds
}
