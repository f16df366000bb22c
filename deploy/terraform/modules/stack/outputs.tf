output "cluster_name" {
  description = "EKS cluster name."
  value       = module.eks.cluster_name
}

output "ecr_repository_url" {
  description = "The chart's image.repository."
  value       = module.registry.repository_url
}

output "ci_role_arn" {
  description = "GitHub environment secret AWS_ROLE_ARN."
  value       = module.registry.ci_role_arn
}

output "app_role_arn" {
  description = "The chart's serviceAccount.roleArn."
  value       = module.app_iam.app_role_arn
}

output "external_secrets_role_arn" {
  description = "IRSA role for the External Secrets Operator."
  value       = module.app_iam.external_secrets_role_arn
}

output "media_bucket" {
  description = "The chart's config.storageBucketName."
  value       = module.storage.bucket_name
}

output "media_cdn_domain" {
  description = "CloudFront domain to alias media_domain to."
  value       = module.storage.cloudfront_domain_name
}

output "oidc_issuer_url" {
  description = "The chart's config.oidcIssuer."
  value       = module.auth.issuer_url
}

output "oidc_logout_url" {
  description = "The chart's config.oidcLogoutUrl."
  value       = module.auth.logout_url
}

output "alert_topic_arn" {
  description = "The chart's config.alertSnsTopicArn."
  value       = module.alerts.topic_arn
}

output "redis_primary_endpoint" {
  description = "The chart's worker.keda.redis.address."
  value       = module.cache.primary_endpoint
}

output "database_endpoint" {
  description = "Aurora writer endpoint (host of DATABASE_URL)."
  value       = module.database.endpoint
}

output "secret_arns" {
  description = "Secrets External Secrets combines into the app's Kubernetes Secret."
  value = {
    app      = aws_secretsmanager_secret.app.arn
    database = module.database.master_user_secret_arn
    redis    = module.cache.secret_arn
    oidc     = module.auth.secret_arn
  }
}

output "waf_web_acl_arn" {
  description = "The chart's ingress.wafv2AclArn (regional WAF in front of the ALB)."
  value       = module.waf.web_acl_arn
}

output "lb_controller_role_arn" {
  description = "IRSA role of the AWS Load Balancer Controller's ServiceAccount."
  value       = module.lb_controller_iam.role_arn
}

output "karpenter_controller_role_arn" {
  description = "IRSA role of the Karpenter controller's ServiceAccount."
  value       = module.karpenter.controller_role_arn
}

output "karpenter_node_role_name" {
  description = "spec.role of the EC2NodeClass in deploy/karpenter."
  value       = module.karpenter.node_role_name
}

output "karpenter_interruption_queue" {
  description = "Karpenter's settings.interruptionQueue."
  value       = module.karpenter.interruption_queue_name
}
