# The stack on one machine: every endpoint points at the local AWS endpoint (devstack's agent in
# front of moto). Composition only; what moto cannot do is switched off by module variables,
# each with its reason.

provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true

  endpoints {
    acm            = var.aws_endpoint
    appautoscaling = var.aws_endpoint
    budgets        = var.aws_endpoint
    cloudwatch     = var.aws_endpoint
    dynamodb       = var.aws_endpoint
    ec2            = var.aws_endpoint
    ecr            = var.aws_endpoint
    ecs            = var.aws_endpoint
    elbv2          = var.aws_endpoint
    iam            = var.aws_endpoint
    kms            = var.aws_endpoint
    logs           = var.aws_endpoint
    rds            = var.aws_endpoint
    route53        = var.aws_endpoint
    secretsmanager = var.aws_endpoint
    sns            = var.aws_endpoint
    sqs            = var.aws_endpoint
    ssm            = var.aws_endpoint
    sts            = var.aws_endpoint
  }
}

locals {
  azs = ["${var.region}a", "${var.region}b"]
}

module "messaging" {
  source      = "../../modules/messaging"
  name_prefix = var.stack_name

  # moto drops a queue's Policy on any later SetQueueAttributes without it, and mishandles
  # RedriveAllowPolicy: the apply would never converge.
  enable_queue_policy         = false
  enable_redrive_allow_policy = false
}

module "network" {
  source      = "../../modules/network"
  name_prefix = var.stack_name
  azs         = local.azs
  kms_key_arn = module.messaging.kms_key_arn
}

module "edge" {
  source              = "../../modules/edge"
  name_prefix         = var.stack_name
  vpc_id              = module.network.vpc_id
  vpc_cidr            = "10.0.0.0/16"
  public_subnet_ids   = module.network.public_subnet_ids
  deletion_protection = false # a throwaway stack
}

module "observability" {
  source         = "../../modules/observability"
  name_prefix    = var.stack_name
  kms_key_arn    = module.messaging.kms_key_arn
  db_instance_id = module.data.db_instance_id
  queue_name     = module.messaging.queue_name
  dlq_name       = module.messaging.dlq_name
  alb_arn_suffix = module.edge.load_balancer_arn_suffix
  cluster_name   = "${var.stack_name}-cluster"
  service_name   = "${var.stack_name}-courier"

  # moto's Budgets answers leave the provider waiting on the new budget (and it never answers
  # DescribeSubscribersForNotification): any budget hangs the apply. A local stack costs nothing.
  enable_budget               = false
  enable_budget_notifications = false
}

module "data" {
  source                    = "../../modules/data"
  name_prefix               = var.stack_name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  client_security_group_ids = [module.service.security_group_id]
  kms_key_arn               = module.messaging.kms_key_arn
  multi_az                  = false
  deletion_protection       = false
  final_snapshot            = false
}

module "ci" {
  source             = "../../modules/ci"
  name_prefix        = var.stack_name
  region             = var.region
  github_repository  = var.github_repository
  kms_key_arn        = module.messaging.kms_key_arn
  state_bucket_arn   = "arn:aws:s3:::${var.stack_name}-tfstate"
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
  # devstack's agent runs any image as the local courier binary.
  image                  = "courier:local"
  ecr_repository_arn     = module.ci.ecr_repository_arn
  desired_count          = 2
  min_count              = 2
  log_group_name         = module.observability.log_group_name
  deployment_alarm_names = module.observability.deployment_alarm_names
  log_group_arn          = module.observability.log_group_arn
  kms_key_arn            = module.messaging.kms_key_arn
  table_name             = module.data.table_name
  table_arn              = module.data.table_arn
  topic_arn              = module.messaging.topic_arn
  queue_url              = module.messaging.queue_url
  queue_arn              = module.messaging.queue_arn
  db_host                = "127.0.0.1"
  db_port                = 55432
  db_name                = "courier"
  db_user                = "postgres"
  db_sslmode             = "disable"
  # The task definition names the RDS-managed secret as in prod; devstack's agent runs the tasks
  # with DATABASE_URL (the local PostgreSQL), which courier prefers over DB_*.
  db_password_secret_arn = module.data.db_master_secret_arn

  # moto drops the capacity provider strategy (every plan would replace the service), cannot tag
  # autoscaling targets (the apply retries forever), and runs no tasks (a steady state never comes).
  use_capacity_providers            = false
  enable_autoscaling                = false
  wait_for_steady_state             = false
  health_check_grace_period_seconds = 0
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
