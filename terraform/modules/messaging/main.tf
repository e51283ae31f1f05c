# The stack's KMS key, the SNS topic, and its SQS work queue with a dead-letter queue.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_111:a key policy's resource "*" means this key; writes are limited to the account and the named services
  #checkov:skip=CKV_AWS_356:a key policy's resource "*" means this key, not every resource
  #checkov:skip=CKV_AWS_109:the account administers its own key through IAM, as AWS's default key policy does
  # The account administers the key through IAM, as the default key policy does.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  # SNS publishes encrypted messages into the encrypted queue; CloudWatch Logs and alarms use it too.
  statement {
    sid       = "ServicesUseTheKey"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt", "kms:Encrypt", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type = "Service"
      identifiers = [
        "sns.amazonaws.com",
        "sqs.amazonaws.com",
        "cloudwatch.amazonaws.com",
        "logs.${data.aws_region.current.name}.amazonaws.com",
      ]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name_prefix}: queues, topics, logs and tables"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_sns_topic" "messages" {
  name              = "${var.name_prefix}-messages"
  kms_master_key_id = aws_kms_key.this.arn
}

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name_prefix}-dlq"
  message_retention_seconds = var.dlq_retention_seconds
  kms_master_key_id         = aws_kms_key.this.arn
  receive_wait_time_seconds = 20
}

resource "aws_sqs_queue" "work" {
  name                       = "${var.name_prefix}-work"
  message_retention_seconds  = var.message_retention_seconds
  visibility_timeout_seconds = var.visibility_timeout_seconds
  receive_wait_time_seconds  = 20 # long polling
  kms_master_key_id          = aws_kms_key.this.arn

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })

  lifecycle {
    precondition {
      condition     = var.dlq_retention_seconds > var.message_retention_seconds
      error_message = "The DLQ must keep messages longer than the work queue (dlq_retention_seconds > message_retention_seconds)."
    }
  }
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  count     = var.enable_redrive_allow_policy ? 1 : 0
  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.work.arn]
  })
}

data "aws_iam_policy_document" "work_queue" {
  statement {
    sid       = "OnlyTheTopicSends"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.work.arn]
    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.messages.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "work" {
  count     = var.enable_queue_policy ? 1 : 0
  queue_url = aws_sqs_queue.work.id
  policy    = data.aws_iam_policy_document.work_queue.json
}

resource "aws_sns_topic_subscription" "work" {
  topic_arn = aws_sns_topic.messages.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.work.arn
}
