# Plan-level contract of the ALB.

mock_provider "aws" {
  mock_resource "aws_lb" {
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/courier-test/1" }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/courier-test-tg/1" }
  }
  # The real provider knows the validation record's domain at plan time; the mock must say so.
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:us-east-1:123456789012:certificate/1"
      domain_validation_options = [{
        domain_name           = "courier.example.com"
        resource_record_name  = "_x.courier.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_y.acm-validations.aws."
      }]
    }
    override_during = plan
  }
}

variables {
  name_prefix       = "courier-test"
  vpc_id            = "vpc-1"
  vpc_cidr          = "10.0.0.0/16"
  public_subnet_ids = ["subnet-a", "subnet-b"]
}

run "http_to_courier_on_5678" {
  command = plan

  assert {
    condition     = aws_lb_target_group.courier.port == 5678 && aws_lb_target_group.courier.target_type == "ip"
    error_message = "The target group sends to the tasks' IPs on 5678."
  }

  assert {
    condition     = aws_lb_target_group.courier.health_check[0].path == "/readyz"
    error_message = "The target group checks courier's readiness, GET /readyz."
  }

  assert {
    condition     = aws_lb_listener.http.port == 80 && aws_lb_listener.http.default_action[0].type == "forward"
    error_message = "Without a domain, HTTP 80 forwards to courier."
  }

  assert {
    condition     = !aws_lb.this.internal && aws_lb.this.drop_invalid_header_fields && aws_lb.this.enable_deletion_protection
    error_message = "A public ALB that drops invalid headers, with deletion protection by default."
  }
}

run "https_with_a_domain_redirects_http" {
  command = plan

  variables {
    domain_name     = "courier.example.com"
    route53_zone_id = "Z123"
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS"
    error_message = "With a domain, HTTP redirects to HTTPS."
  }

  assert {
    condition     = aws_lb_listener.https[0].port == 443 && startswith(aws_lb_listener.https[0].ssl_policy, "ELBSecurityPolicy-TLS13")
    error_message = "HTTPS on 443 with a TLS 1.3 policy."
  }

  assert {
    condition     = aws_acm_certificate.this[0].validation_method == "DNS" && length(aws_route53_record.alias) == 1
    error_message = "The certificate is validated in Route53 and the name points at the ALB."
  }
}
