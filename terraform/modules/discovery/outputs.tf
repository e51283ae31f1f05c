output "path" {
  description = "The stack's discovery path."
  value       = "/stackdeck/${var.stack_name}/"
}

output "parameter_names" {
  description = "Every parameter written."
  value       = sort([for p in aws_ssm_parameter.this : p.name])
}
