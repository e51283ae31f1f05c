# Plan-level contract of the CI roles' trust.

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
  name_prefix        = "courier-test"
  region             = "us-east-1"
  github_repository  = "acme/stackdeck"
  kms_key_arn        = "arn:aws:kms:us-east-1:123456789012:key/k"
  state_bucket_arn   = "arn:aws:s3:::courier-test-tfstate"
  stack_name         = "courier-test"
  cluster_name       = "courier-test-cluster"
  service_name       = "courier-test-courier"
  passable_role_arns = ["arn:aws:iam::123456789012:role/courier-test-task", "arn:aws:iam::123456789012:role/courier-test-execution"]
  queue_arns         = ["arn:aws:sqs:us-east-1:123456789012:courier-test-work"]
  alarm_prefix       = "courier-test-"
}

run "roles_trust_exactly_one_repository" {
  command = plan

  assert {
    condition     = output.trust_subjects.plan == "repo:acme/stackdeck:pull_request"
    error_message = "The plan role trusts the repository's pull requests only."
  }

  assert {
    condition     = output.trust_subjects.deploy == "repo:acme/stackdeck:environment:production" && output.trust_subjects.terraform == "repo:acme/stackdeck:environment:production"
    error_message = "The deploy and Terraform roles trust the production environment only."
  }
}

run "the_repository_is_immutable_and_scanned" {
  command = plan

  assert {
    condition     = aws_ecr_repository.courier.image_tag_mutability == "IMMUTABLE" && aws_ecr_repository.courier.image_scanning_configuration[0].scan_on_push
    error_message = "Image tags are immutable and images are scanned on push."
  }
}

run "the_deploy_policy_covers_every_action_of_the_file" {
  command = plan

  assert {
    condition     = toset(flatten([for s in data.aws_iam_policy_document.deploy.statement : s.actions])) == toset(jsondecode(file("${path.module}/deploy-role-actions.json")))
    error_message = "The deploy role's statements hold exactly the actions of deploy-role-actions.json."
  }
}
