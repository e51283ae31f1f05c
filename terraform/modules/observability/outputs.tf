output "log_group_name" {
  description = "Log group of the service."
  value       = aws_cloudwatch_log_group.service.name
}

output "log_group_arn" {
  description = "Its ARN."
  value       = aws_cloudwatch_log_group.service.arn
}

output "alerts_topic_arn" {
  description = "Every alarm notifies this topic."
  value       = aws_sns_topic.alerts.arn
}

output "alarm_prefix" {
  description = "Prefix shared by the stack's alarm names."
  value       = local.alarm_prefix
}

output "alarm_names" {
  description = "Every alarm of the stack."
  value       = concat([for a in aws_cloudwatch_metric_alarm.this : a.alarm_name], [aws_cloudwatch_metric_alarm.running_below_desired.alarm_name])
}

output "deployment_alarm_names" {
  description = "The alarms a deployment is judged by (ECS deployment alarms): the queue backing up and the ALB's 5xx."
  value       = [aws_cloudwatch_metric_alarm.this["queue-depth"].alarm_name, aws_cloudwatch_metric_alarm.this["alb-5xx"].alarm_name]
}
