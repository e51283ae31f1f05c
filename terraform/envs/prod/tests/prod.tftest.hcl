# The production env's composition against a mocked provider (no AWS, no backend): what makes it
# production — Multi-AZ, one NAT per AZ, TLS to the database, the managed password, the discovery
# contract — stays true.

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  github_repository = "acme/stackdeck"
}

run "production_is_resilient" {
  command = apply

  assert {
    condition     = module.network.nat_gateway_count == 3
    error_message = "Production runs one NAT gateway per AZ (three)."
  }

  assert {
    condition     = !module.data.db_publicly_accessible
    error_message = "The database is not publicly accessible."
  }
}

run "courier_talks_tls_to_the_database_with_the_managed_password" {
  command = apply

  assert {
    condition     = module.service.container_environment.DB_SSLMODE == "require"
    error_message = "courier requires TLS to RDS in production (DB_SSLMODE=require)."
  }

  assert {
    condition     = module.service.container_secrets.DB_PASSWORD == "${module.data.db_master_secret_arn}:password::"
    error_message = "DB_PASSWORD comes from the RDS-managed master secret's password key."
  }

  assert {
    condition     = module.service.container_environment.DB_HOST == module.data.db_address
    error_message = "courier's DB_HOST is the RDS instance."
  }
}

run "every_discovery_key_is_written_for_courier_prod" {
  command = apply

  assert {
    condition = module.discovery.parameter_names == sort([
      for k in ["cluster", "service", "task_family", "queue_url", "dlq_url", "topic_arn", "db_instance_id",
      "dynamodb_table", "log_group", "alarm_prefix", "target_group_arn", "load_balancer_arn"] : "/stackdeck/courier-prod/${k}"
    ])
    error_message = "All twelve discovery parameters of ARCHITECTURE.md are written for courier-prod."
  }
}

