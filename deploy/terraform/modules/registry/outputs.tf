output "repository_url" {
  description = "ECR repository URL (the chart's image.repository)."
  value       = aws_ecr_repository.app.repository_url
}

output "ci_role_arn" {
  description = "Role GitHub Actions assumes (secret AWS_ROLE_ARN of the GitHub environment)."
  value       = aws_iam_role.ci.arn
}
