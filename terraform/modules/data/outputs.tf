output "db_instance_id" {
  description = "RDS instance identifier."
  value       = aws_db_instance.this.identifier
}

output "db_instance_arn" {
  description = "RDS instance ARN."
  value       = aws_db_instance.this.arn
}

output "db_address" {
  description = "Host name of the database."
  value       = aws_db_instance.this.address
}

output "db_port" {
  description = "Port of the database."
  value       = aws_db_instance.this.port
}

output "db_name" {
  description = "Database courier uses."
  value       = var.database_name
}

output "db_username" {
  description = "Master user name."
  value       = var.master_username
}

output "db_publicly_accessible" {
  description = "Whether the instance is reachable from the internet (never)."
  value       = aws_db_instance.this.publicly_accessible
}

output "db_master_secret_arn" {
  description = "Secrets Manager secret holding the master password, when RDS manages it."
  value       = var.manage_master_password ? aws_db_instance.this.master_user_secret[0].secret_arn : null
}

output "db_security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.db.id
}

output "table_name" {
  description = "DynamoDB idempotency table."
  value       = aws_dynamodb_table.idempotency.name
}

output "table_arn" {
  description = "DynamoDB idempotency table ARN."
  value       = aws_dynamodb_table.idempotency.arn
}
