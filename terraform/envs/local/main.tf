provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true

  endpoints {
    ssm = var.aws_endpoint
  }
}

# Minimal until the Terraform issue lands: one discovery parameter, so that devstack and stackdeck
# can prove the SSM discovery path end to end.
resource "aws_ssm_parameter" "cluster" {
  #checkov:skip=CKV2_AWS_34:discovery parameters are non-secret resource names, String by the DESIGN.md contract
  name  = "/stackdeck/${var.stack_name}/cluster"
  type  = "String"
  value = "${var.stack_name}-cluster"
}
