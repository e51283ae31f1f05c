# CI/CD for GitHub Actions: the image repository, the OIDC provider, and three roles that trust
# exactly one repository's workflows — plan (pull requests, read-only), terraform (the production
# environment, applies the stack) and deploy (the production environment, ships an image).

data "aws_caller_identity" "current" {}

locals {
  account     = data.aws_caller_identity.current.account_id
  oidc_host   = "token.actions.githubusercontent.com"
  oidc_arn    = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : var.oidc_provider_arn
  pr_subject  = "repo:${var.github_repository}:pull_request"
  env_subject = "repo:${var.github_repository}:environment:${var.github_environment}"
  service_arn = "arn:aws:ecs:${var.region}:${local.account}:service/${var.cluster_name}/${var.service_name}"
}

resource "aws_ecr_repository" "courier" {
  name                 = "${var.name_prefix}-courier"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

resource "aws_ecr_lifecycle_policy" "courier" {
  repository = aws_ecr_repository.courier.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "untagged layers go after a week"
        selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 7 }
        action       = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "keep the newest ${var.images_to_keep} images (rollback targets)"
        selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = var.images_to_keep }
        action       = { type = "expire" }
      },
    ]
  })
}

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_oidc_provider ? 1 : 0
  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
}

# Trust: GitHub's OIDC token, for this audience, with exactly this subject.
data "aws_iam_policy_document" "trust" {
  for_each = {
    plan      = local.pr_subject
    terraform = local.env_subject
    deploy    = local.env_subject
  }

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = [each.value]
    }
  }
}

## plan: read-only, plus the state --------------------------------------------------------------

resource "aws_iam_role" "plan" {
  name                 = "${var.name_prefix}-gha-plan"
  assume_role_policy   = data.aws_iam_policy_document.trust["plan"].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "plan_read_only" {
  role       = aws_iam_role.plan.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

data "aws_iam_policy_document" "state_read" {
  statement {
    actions   = ["s3:ListBucket"]
    resources = [var.state_bucket_arn]
  }
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${var.state_bucket_arn}/*"]
  }
}

resource "aws_iam_role_policy" "plan_state" {
  name   = "state-read"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.state_read.json
}

## terraform: applies envs/prod -----------------------------------------------------------------
# Applying the whole stack touches most services, so this role is broad (PowerUserAccess), but
# its IAM rights are limited to the stack's own roles and policies, and only the production
# environment's approved jobs can assume it.

resource "aws_iam_role" "terraform" {
  name                 = "${var.name_prefix}-gha-terraform"
  assume_role_policy   = data.aws_iam_policy_document.trust["terraform"].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "terraform_power_user" {
  role       = aws_iam_role.terraform.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

data "aws_iam_policy_document" "terraform_iam" {
  statement {
    sid = "StackRolesAndPolicies"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:TagRole", "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy",
      "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole", "iam:PassRole",
      "iam:CreatePolicy", "iam:DeletePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions",
      "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy",
    ]
    resources = [
      "arn:aws:iam::${local.account}:role/${var.name_prefix}-*",
      "arn:aws:iam::${local.account}:policy/${var.name_prefix}-*",
    ]
  }
  statement {
    sid       = "GitHubOidcProvider"
    actions   = ["iam:GetOpenIDConnectProvider", "iam:CreateOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint", "iam:TagOpenIDConnectProvider"]
    resources = ["arn:aws:iam::${local.account}:oidc-provider/${local.oidc_host}"]
  }
  statement {
    sid       = "State"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.state_bucket_arn}/*"]
  }
}

resource "aws_iam_role_policy" "terraform_iam" {
  name   = "stack-iam-and-state"
  role   = aws_iam_role.terraform.id
  policy = data.aws_iam_policy_document.terraform_iam.json
}

## deploy: exactly the calls of deploy.yml's deploy job ---------------------------------------
# The actions come from deploy-role-actions.json, which tests/deploy_role.rs checks against the
# workflow; here each action gets the narrowest resource it supports.

locals {
  deploy_actions = jsondecode(file("${path.module}/deploy-role-actions.json"))

  # The narrowest resources each kind of action supports...
  deploy_resources = {
    any        = ["*"] # actions without resource-level permissions
    repository = [aws_ecr_repository.courier.arn]
    parameters = ["arn:aws:ssm:${var.region}:${local.account}:parameter/stackdeck/${var.stack_name}*"]
    service    = [local.service_arn]
    revisions  = ["arn:aws:ecs:${var.region}:${local.account}:service-revision/${var.cluster_name}/${var.service_name}/*"]
    task_roles = var.passable_role_arns
    queues     = var.queue_arns
    alarms     = ["arn:aws:cloudwatch:${var.region}:${local.account}:alarm:${var.alarm_prefix}*"]
  }

  # ...and which of them each action gets. An action missing here fails the plan.
  deploy_scope = {
    "ecr:GetAuthorizationToken"                  = "any"
    "ecr:BatchCheckLayerAvailability"            = "repository"
    "ecr:InitiateLayerUpload"                    = "repository"
    "ecr:UploadLayerPart"                        = "repository"
    "ecr:CompleteLayerUpload"                    = "repository"
    "ecr:PutImage"                               = "repository"
    "ssm:GetParametersByPath"                    = "parameters"
    "ecs:DescribeTaskDefinition"                 = "any"
    "ecs:RegisterTaskDefinition"                 = "any"
    "ecs:ListTaskDefinitions"                    = "any"
    "ecs:UpdateService"                          = "service"
    "ecs:DescribeServices"                       = "service"
    "ecs:ListServiceDeployments"                 = "service"
    "ecs:DescribeServiceRevisions"               = "revisions"
    "iam:PassRole"                               = "task_roles"
    "elasticloadbalancing:DescribeLoadBalancers" = "any"
    "sqs:GetQueueAttributes"                     = "queues"
    "cloudwatch:DescribeAlarms"                  = "alarms"
    "cloudwatch:GetMetricData"                   = "any"
    "elasticloadbalancing:DescribeTargetHealth"  = "any"
  }

  # One statement per scope in use.
  deploy_statements = {
    for scope in distinct([for a in local.deploy_actions : local.deploy_scope[a]]) : scope => {
      resources = local.deploy_resources[scope]
      actions   = [for a in local.deploy_actions : a if local.deploy_scope[a] == scope]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${var.name_prefix}-gha-deploy"
  assume_role_policy   = data.aws_iam_policy_document.trust["deploy"].json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "deploy" {
  dynamic "statement" {
    for_each = local.deploy_statements
    content {
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.key == "task_roles" ? [1] : []
        content {
          test     = "StringEquals"
          variable = "iam:PassedToService"
          values   = ["ecs-tasks.amazonaws.com"]
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}
