# Plan-level contract of the data module.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
}

variables {
  name_prefix               = "courier-test"
  vpc_id                    = "vpc-1"
  subnet_ids                = ["subnet-a", "subnet-b"]
  client_security_group_ids = ["sg-tasks"]
  kms_key_arn               = "arn:aws:kms:us-east-1:123456789012:key/k"
}

run "the_database_is_private_encrypted_and_backed_up" {
  command = plan

  assert {
    condition     = !aws_db_instance.this.publicly_accessible
    error_message = "The database must not be publicly accessible."
  }

  assert {
    condition     = aws_db_instance.this.storage_encrypted && aws_db_instance.this.performance_insights_enabled
    error_message = "Storage is encrypted and Performance Insights is on."
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period >= 1 && !aws_db_instance.this.skip_final_snapshot
    error_message = "Backups are kept and a final snapshot is taken by default."
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.db_from_clients) == 1 && aws_vpc_security_group_ingress_rule.db_from_clients[0].from_port == 5432 && aws_vpc_security_group_ingress_rule.db_from_clients[0].referenced_security_group_id == "sg-tasks"
    error_message = "Only the tasks' security group reaches 5432."
  }
}

run "the_table_expires_keys_and_recovers" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.idempotency.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.idempotency.ttl[0].attribute_name == "expires_at"
    error_message = "On-demand billing and a TTL on expires_at."
  }

  assert {
    condition     = aws_dynamodb_table.idempotency.point_in_time_recovery[0].enabled && aws_dynamodb_table.idempotency.server_side_encryption[0].enabled
    error_message = "PITR and server-side encryption are on."
  }
}
