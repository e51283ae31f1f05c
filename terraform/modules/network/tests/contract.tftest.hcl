# Plan-level contract of the network: subnets per AZ and the NAT choice (cost versus resilience).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/vpc/courier-test/flow" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/courier-test-vpc-flow" }
  }
}

variables {
  name_prefix = "courier-test"
  azs         = ["us-east-1a", "us-east-1b", "us-east-1c"]
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/k"
}

run "one_shared_nat_by_default" {
  command = plan

  assert {
    condition     = aws_vpc.this.cidr_block == "10.0.0.0/16" && length(aws_subnet.public) == 3 && length(aws_subnet.private) == 3
    error_message = "VPC 10.0.0.0/16 with a public and a private subnet per AZ."
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && output.nat_gateway_count == 1
    error_message = "One shared NAT gateway unless nat_gateway_per_az."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.private : s.map_public_ip_on_launch != true])
    error_message = "Private subnets give no public IPs."
  }
}

run "one_nat_per_az" {
  command = plan

  variables {
    nat_gateway_per_az = true
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3
    error_message = "nat_gateway_per_az gives every AZ its own NAT gateway."
  }
}
