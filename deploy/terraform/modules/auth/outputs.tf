output "user_pool_id" {
  description = "Cognito user pool id."
  value       = aws_cognito_user_pool.this.id
}

output "issuer_url" {
  description = "OIDC issuer (the chart's config.oidcIssuer)."
  value       = "https://cognito-idp.${data.aws_region.current.region}.amazonaws.com/${aws_cognito_user_pool.this.id}"
}

output "logout_url" {
  description = "Hosted UI logout endpoint (the chart's config.oidcLogoutUrl)."
  value       = "https://${aws_cognito_user_pool_domain.this.domain}.auth.${data.aws_region.current.region}.amazoncognito.com/logout"
}

output "client_id" {
  description = "App client id (not secret)."
  value       = aws_cognito_user_pool_client.app.id
}

output "secret_arn" {
  description = "Secrets Manager secret with the OIDC client id and secret."
  value       = aws_secretsmanager_secret.oidc.arn
}

output "kms_key_arn" {
  description = "KMS key of the OIDC secret (External Secrets needs decrypt)."
  value       = aws_kms_key.oidc.arn
}
