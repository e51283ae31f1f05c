output "kms_key_arn" {
  description = "The stack's KMS key."
  value       = aws_kms_key.this.arn
}

output "topic_arn" {
  description = "SNS topic courier's relay publishes to."
  value       = aws_sns_topic.messages.arn
}

output "queue_url" {
  description = "Work queue URL."
  value       = aws_sqs_queue.work.id
}

output "queue_arn" {
  description = "Work queue ARN."
  value       = aws_sqs_queue.work.arn
}

output "queue_name" {
  description = "Work queue name (alarm dimension)."
  value       = aws_sqs_queue.work.name
}

output "dlq_url" {
  description = "Dead-letter queue URL."
  value       = aws_sqs_queue.dlq.id
}

output "dlq_arn" {
  description = "Dead-letter queue ARN."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_name" {
  description = "Dead-letter queue name (alarm dimension)."
  value       = aws_sqs_queue.dlq.name
}
