# Plan-level contract of the topic, the queue and its dead-letter queue.

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
  mock_resource "aws_kms_key" {
    defaults        = { arn = "arn:aws:kms:us-east-1:123456789012:key/k" }
    override_during = plan
  }
  mock_resource "aws_sns_topic" {
    defaults        = { arn = "arn:aws:sns:us-east-1:123456789012:courier-test-messages" }
    override_during = plan
  }
  mock_resource "aws_sqs_queue" {
    defaults        = { arn = "arn:aws:sqs:us-east-1:123456789012:courier-test-dlq" }
    override_during = plan
  }
}

variables {
  name_prefix = "courier-test"
}

run "everything_is_encrypted_and_long_polled" {
  command = plan

  assert {
    condition     = aws_sns_topic.messages.kms_master_key_id != null && aws_sqs_queue.work.kms_master_key_id != null && aws_sqs_queue.dlq.kms_master_key_id != null
    error_message = "The topic and both queues are encrypted with the stack's key."
  }

  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "The stack's key rotates."
  }

  assert {
    condition     = aws_sqs_queue.work.receive_wait_time_seconds == 20
    error_message = "The work queue long-polls (20 s)."
  }
}

run "failing_messages_land_in_the_dlq_and_stay_longer" {
  command = plan

  assert {
    condition     = aws_sqs_queue.dlq.message_retention_seconds > aws_sqs_queue.work.message_retention_seconds
    error_message = "The DLQ keeps messages longer than the work queue."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.work.redrive_policy).deadLetterTargetArn == aws_sqs_queue.dlq.arn && jsondecode(aws_sqs_queue.work.redrive_policy).maxReceiveCount == 5
    error_message = "After five receives a message moves to the DLQ."
  }

  assert {
    condition     = length(aws_sqs_queue_redrive_allow_policy.dlq) == 1
    error_message = "Only the work queue may use the DLQ (redrive allow policy) by default."
  }
}

run "only_the_topic_sends_to_the_queue" {
  command = plan

  assert {
    condition     = length(aws_sqs_queue_policy.work) == 1 && aws_sns_topic_subscription.work.protocol == "sqs"
    error_message = "The queue has its policy and is subscribed to the topic."
  }

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.work_queue.statement : anytrue([
        for c in s.condition : c.variable == "aws:SourceArn" && toset(c.values) == toset([aws_sns_topic.messages.arn])
      ])
    ])
    error_message = "The queue policy admits SendMessage from the stack's topic ARN only."
  }
}

run "a_dlq_that_forgets_first_is_refused" {
  command = plan

  variables {
    message_retention_seconds = 1209600
    dlq_retention_seconds     = 345600
  }

  expect_failures = [aws_sqs_queue.work]
}
