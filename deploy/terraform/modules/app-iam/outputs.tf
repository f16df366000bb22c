output "app_role_arn" {
  description = "IRSA role of the app pods (the chart's serviceAccount.roleArn)."
  value       = aws_iam_role.app.arn
}

output "external_secrets_role_arn" {
  description = "IRSA role for the External Secrets Operator ServiceAccount."
  value       = aws_iam_role.external_secrets.arn
}
