output "web_acl_arn" {
  description = "The chart's ingress.wafv2AclArn."
  value       = aws_wafv2_web_acl.this.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the web ACL's logs."
  value       = aws_cloudwatch_log_group.this.name
}
