output "cluster_name" {
  description = "EKS cluster name."
  value       = module.stack.cluster_name
}

output "ecr_repository_url" {
  description = "The chart's image.repository."
  value       = module.stack.ecr_repository_url
}

output "ci_role_arn" {
  description = "GitHub environment secret AWS_ROLE_ARN."
  value       = module.stack.ci_role_arn
}

output "app_role_arn" {
  description = "The chart's serviceAccount.roleArn."
  value       = module.stack.app_role_arn
}

output "external_secrets_role_arn" {
  description = "IRSA role for the External Secrets Operator."
  value       = module.stack.external_secrets_role_arn
}

output "media_bucket" {
  description = "The chart's config.storageBucketName."
  value       = module.stack.media_bucket
}

output "media_cdn_domain" {
  description = "CloudFront domain to alias media_domain to."
  value       = module.stack.media_cdn_domain
}

output "oidc_issuer_url" {
  description = "The chart's config.oidcIssuer."
  value       = module.stack.oidc_issuer_url
}

output "oidc_logout_url" {
  description = "The chart's config.oidcLogoutUrl."
  value       = module.stack.oidc_logout_url
}

output "alert_topic_arn" {
  description = "The chart's config.alertSnsTopicArn."
  value       = module.stack.alert_topic_arn
}

output "redis_primary_endpoint" {
  description = "The chart's worker.keda.redis.address."
  value       = module.stack.redis_primary_endpoint
}

output "database_endpoint" {
  description = "Aurora writer endpoint (host of DATABASE_URL)."
  value       = module.stack.database_endpoint
}

output "secret_arns" {
  description = "Secrets External Secrets combines into the app's Kubernetes Secret."
  value       = module.stack.secret_arns
}

output "waf_web_acl_arn" {
  description = "The chart's ingress.wafv2AclArn."
  value       = module.stack.waf_web_acl_arn
}

output "lb_controller_role_arn" {
  description = "IRSA role of the AWS Load Balancer Controller."
  value       = module.stack.lb_controller_role_arn
}

output "karpenter_controller_role_arn" {
  description = "IRSA role of the Karpenter controller."
  value       = module.stack.karpenter_controller_role_arn
}

output "karpenter_node_role_name" {
  description = "spec.role of the EC2NodeClass in deploy/karpenter."
  value       = module.stack.karpenter_node_role_name
}

output "karpenter_interruption_queue" {
  description = "Karpenter's settings.interruptionQueue."
  value       = module.stack.karpenter_interruption_queue
}
