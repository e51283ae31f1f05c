# The production stack: Multi-AZ, one NAT per AZ, deletion protection, HTTPS when a domain is given.
# Composition only: every choice is a module variable.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Stack       = var.stack_name
      Environment = "production"
      ManagedBy   = "terraform"
      Repository  = var.github_repository
    }
  }
}

locals {
  azs = ["${var.region}a", "${var.region}b", "${var.region}c"]
}

module "messaging" {
  source      = "../../modules/messaging"
  name_prefix = var.stack_name
}

module "network" {
  source             = "../../modules/network"
  name_prefix        = var.stack_name
  azs                = local.azs
  kms_key_arn        = module.messaging.kms_key_arn
  nat_gateway_per_az = var.nat_gateway_per_az
}

module "edge" {
  source              = "../../modules/edge"
  name_prefix         = var.stack_name
  vpc_id              = module.network.vpc_id
  vpc_cidr            = "10.0.0.0/16"
  public_subnet_ids   = module.network.public_subnet_ids
  deletion_protection = true
  domain_name         = var.domain_name
  route53_zone_id     = var.route53_zone_id
}

module "observability" {
  source             = "../../modules/observability"
  name_prefix        = var.stack_name
  kms_key_arn        = module.messaging.kms_key_arn
  db_instance_id     = module.data.db_instance_id
  queue_name         = module.messaging.queue_name
  dlq_name           = module.messaging.dlq_name
  alb_arn_suffix     = module.edge.load_balancer_arn_suffix
  cluster_name       = "${var.stack_name}-cluster"
  service_name       = "${var.stack_name}-courier"
  alert_emails       = var.alert_emails
  monthly_budget_usd = var.monthly_budget_usd
}

module "data" {
  source                    = "../../modules/data"
  name_prefix               = var.stack_name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  client_security_group_ids = [module.service.security_group_id]
  kms_key_arn               = module.messaging.kms_key_arn
  instance_class            = "db.t4g.small"
  multi_az                  = true
  deletion_protection       = true
  final_snapshot            = true
}

module "ci" {
  source             = "../../modules/ci"
  name_prefix        = var.stack_name
  region             = var.region
  github_repository  = var.github_repository
  kms_key_arn        = module.messaging.kms_key_arn
  state_bucket_arn   = "arn:aws:s3:::courier-prod-tfstate"
  stack_name         = var.stack_name
  cluster_name       = module.service.cluster_name
  service_name       = module.service.service_name
  passable_role_arns = [module.service.task_role_arn, module.service.execution_role_arn]
  queue_arns         = [module.messaging.queue_arn, module.messaging.dlq_arn]
  alarm_prefix       = module.observability.alarm_prefix
}

module "service" {
  source                       = "../../modules/service"
  name_prefix                  = var.stack_name
  region                       = var.region
  vpc_id                       = module.network.vpc_id
  private_subnet_ids           = module.network.private_subnet_ids
  alb_security_group_id        = module.edge.security_group_id
  target_group_arn             = module.edge.target_group_arn
  alb_request_count_label      = "${module.edge.load_balancer_arn_suffix}/${module.edge.target_group_arn_suffix}"
  deregistration_delay_seconds = module.edge.deregistration_delay_seconds
  image                        = "${module.ci.ecr_repository_url}:${var.image_tag}"
  ecr_repository_arn           = module.ci.ecr_repository_arn
  desired_count                = 2
  min_count                    = 2
  max_count                    = 20
  log_group_name               = module.observability.log_group_name
  deployment_alarm_names       = module.observability.deployment_alarm_names
  log_group_arn                = module.observability.log_group_arn
  kms_key_arn                  = module.messaging.kms_key_arn
  table_name                   = module.data.table_name
  table_arn                    = module.data.table_arn
  topic_arn                    = module.messaging.topic_arn
  queue_url                    = module.messaging.queue_url
  queue_arn                    = module.messaging.queue_arn
  db_host                      = module.data.db_address
  db_port                      = module.data.db_port
  db_name                      = module.data.db_name
  db_user                      = module.data.db_username
  db_sslmode                   = "require"
  db_password_secret_arn       = module.data.db_master_secret_arn
  fargate_spot_weight          = var.fargate_spot_weight
  enable_execute_command       = true
}

module "operator" {
  source           = "../../modules/operator"
  name_prefix      = var.stack_name
  region           = var.region
  stack_name       = var.stack_name
  cluster_name     = module.service.cluster_name
  service_name     = module.service.service_name
  queue_arns       = [module.messaging.queue_arn, module.messaging.dlq_arn]
  work_queue_arn   = module.messaging.queue_arn
  dlq_arn          = module.messaging.dlq_arn
  log_group_arn    = module.observability.log_group_arn
  db_instance_arn  = module.data.db_instance_arn
  target_group_arn = module.edge.target_group_arn
  alarm_prefix     = module.observability.alarm_prefix
  kms_key_arn      = module.messaging.kms_key_arn
}

module "discovery" {
  source     = "../../modules/discovery"
  stack_name = var.stack_name
  values = {
    cluster           = module.service.cluster_name
    service           = module.service.service_name
    task_family       = module.service.task_family
    queue_url         = module.messaging.queue_url
    dlq_url           = module.messaging.dlq_url
    topic_arn         = module.messaging.topic_arn
    db_instance_id    = module.data.db_instance_id
    dynamodb_table    = module.data.table_name
    log_group         = module.observability.log_group_name
    alarm_prefix      = module.observability.alarm_prefix
    target_group_arn  = module.edge.target_group_arn
    load_balancer_arn = module.edge.load_balancer_arn
  }
}
