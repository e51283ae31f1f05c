# The local env's composition, planned and applied against a mocked provider (no endpoint needed):
# the discovery contract of ARCHITECTURE.md for courier-local, and courier's environment contract.

mock_provider "aws" {
  source = "../../tests/mocks"
}

run "every_discovery_key_is_written_for_courier_local" {
  command = apply

  assert {
    condition     = output.discovery_path == "/stackdeck/courier-local/"
    error_message = "envs/local writes its discovery parameters under /stackdeck/courier-local/."
  }

  assert {
    condition = module.discovery.parameter_names == sort([
      for k in ["cluster", "service", "task_family", "queue_url", "dlq_url", "topic_arn", "db_instance_id",
      "dynamodb_table", "log_group", "alarm_prefix", "target_group_arn", "load_balancer_arn"] : "/stackdeck/courier-local/${k}"
    ])
    error_message = "All twelve discovery parameters of ARCHITECTURE.md are written for courier-local."
  }
}

run "courier_gets_its_environment" {
  command = apply

  assert {
    condition = toset(keys(module.service.container_environment)) == toset([
      "COURIER_ROLE", "COURIER_PORT", "COURIER_TABLE", "COURIER_TOPIC_ARN", "COURIER_QUEUE_URL", "AWS_REGION",
      "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_SSLMODE", "RUST_LOG",
    ])
    error_message = "courier's container gets exactly the environment of its contract."
  }

  assert {
    condition     = module.service.container_environment.COURIER_PORT == "5678" && module.service.container_environment.COURIER_TABLE == module.data.table_name
    error_message = "courier listens on 5678 and records idempotency keys in the stack's table."
  }

  assert {
    condition     = module.service.container_environment.DB_HOST == "127.0.0.1" && module.service.container_environment.DB_PORT == "55432"
    error_message = "Locally courier's database is devstack's PostgreSQL on 127.0.0.1:55432."
  }

  assert {
    condition     = module.service.container_secrets.DB_PASSWORD == "${module.data.db_master_secret_arn}:password::"
    error_message = "DB_PASSWORD comes from the RDS-managed master secret's password key, as in prod."
  }
}

run "the_database_stays_private" {
  command = apply

  assert {
    condition     = !module.data.db_publicly_accessible
    error_message = "The database is not publicly accessible, locally either."
  }
}
