output "discovery_path" {
  description = "Where stackdeck finds the stack."
  value       = module.discovery.path
}

output "alb_dns_name" {
  description = "The ALB's DNS name (moto's: not resolvable)."
  value       = module.edge.dns_name
}
