# The SSM discovery contract of ARCHITECTURE.md: one String parameter per resource under
# /stackdeck/<stack>/, so that stackdeck needs nothing but the stack's name.

resource "aws_ssm_parameter" "this" {
  #checkov:skip=CKV2_AWS_34:discovery parameters are non-secret resource names, String by the ARCHITECTURE.md contract
  for_each    = var.values
  name        = "/stackdeck/${var.stack_name}/${each.key}"
  description = "stackdeck discovery: ${each.key} of ${var.stack_name}"
  type        = "String"
  value       = each.value
}
