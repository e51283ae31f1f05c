output "read_only_policy_arn" {
  description = "Attach to on-call engineers who watch."
  value       = aws_iam_policy.read_only.arn
}

output "operator_policy_arn" {
  description = "Attach to on-call engineers who act."
  value       = aws_iam_policy.operator.arn
}
