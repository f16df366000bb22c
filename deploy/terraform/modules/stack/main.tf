# MatchMinds environment: network -> eks -> data stores -> app IAM, composed from modules.
# envs/dev and envs/prod each call this module once with their own values.

locals {
  name = "matchminds-${var.environment}"
  tags = {
    Project     = "matchminds"
    Environment = var.environment
    ManagedBy   = "terraform"
  }
}

module "network" {
  source = "../network"

  name               = local.name
  cidr_block         = var.vpc_cidr
  availability_zones = var.availability_zones
  single_nat_gateway = var.single_nat_gateway
  cluster_name       = local.name
  tags               = local.tags
}

module "registry" {
  source = "../registry"

  name                        = local.name
  github_repository           = var.github_repository
  github_environment          = var.environment
  create_github_oidc_provider = var.create_github_oidc_provider
  cluster_name                = local.name
  tags                        = local.tags
}

module "eks" {
  source = "../eks"

  name                   = local.name
  kubernetes_version     = var.kubernetes_version
  vpc_id                 = module.network.vpc_id
  subnet_ids             = module.network.private_subnet_ids
  endpoint_public_access = var.eks_public_endpoint
  public_access_cidrs    = var.eks_public_access_cidrs
  node_groups            = var.node_groups
  admin_role_arns        = var.eks_admin_role_arns
  deploy_role_arn        = module.registry.ci_role_arn
  tags                   = local.tags
}

# Cluster add-ons' AWS side: the ALB's WAF and the IRSA roles of the AWS Load Balancer
# Controller and Karpenter (whose NodePool and EC2NodeClass live in deploy/karpenter).
module "waf" {
  source = "../waf"

  name = local.name
  tags = local.tags
}

module "lb_controller_iam" {
  source = "../lb-controller-iam"

  name              = local.name
  cluster_name      = module.eks.cluster_name
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  tags              = local.tags
}

module "karpenter" {
  source = "../karpenter"

  name                      = local.name
  cluster_name              = module.eks.cluster_name
  cluster_security_group_id = module.eks.cluster_security_group_id
  oidc_provider_arn         = module.eks.oidc_provider_arn
  oidc_issuer               = module.eks.oidc_issuer
  tags                      = local.tags
}

module "database" {
  source = "../database"

  name                       = local.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  min_capacity               = var.db_min_capacity
  max_capacity               = var.db_max_capacity
  instance_count             = var.db_instance_count
  backup_retention_days      = var.db_backup_retention_days
  deletion_protection        = var.deletion_protection
  tags                       = local.tags
}

module "cache" {
  source = "../cache"

  name                       = local.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  node_type                  = var.cache_node_type
  node_count                 = var.cache_node_count
  tags                       = local.tags
}

module "storage" {
  source = "../storage"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name            = local.name
  media_domain    = var.media_domain
  certificate_arn = var.media_certificate_arn
  tags            = local.tags
}

module "auth" {
  source = "../auth"

  name                = local.name
  domain_prefix       = var.cognito_domain_prefix
  callback_urls       = ["https://${var.app_domain}/oidc/callback/"]
  logout_urls         = ["https://${var.app_domain}/"]
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

module "alerts" {
  source = "../alerts"

  name                  = local.name
  alert_emails          = var.alert_emails
  db_cluster_identifier = module.database.cluster_identifier
  cache_cluster_ids     = module.cache.member_clusters
  tags                  = local.tags
}

# ---------------------------------------------------------------- app secret

# SECRET_KEY and METRICS_BEARER_TOKEN are generated here (never written in code).
# EMAIL_URL and the alert notifier URLs ALERTS_SLACK_WEBHOOK_URL / ALERTS_WEBHOOK_URL are
# added by an operator (docs/operations.md); Terraform leaves the value alone after
# creation so it does not overwrite them.
resource "random_password" "django_secret_key" {
  length  = 64
  special = false
}

# Prometheus sends it to /metrics (the chart's ServiceMonitor reads it from the app Secret).
resource "random_password" "metrics_bearer_token" {
  length  = 48
  special = false
}

resource "aws_kms_key" "app_secret" {
  description         = "${local.name} application secret"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.app_secret_key.json
  tags                = local.tags
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "app_secret_key" {
  # checkov:skip=CKV_AWS_109:KMS key policy: "*" means this key only, and the account-root statement is AWS's default that delegates key use to IAM policies
  # checkov:skip=CKV_AWS_111:KMS key policy: "*" means this key only; writes are limited to the account root and condition-scoped service principals
  # checkov:skip=CKV_AWS_356:KMS key policy: a key policy's resource is always "*" (the key it is attached to)
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_secretsmanager_secret" "app" {
  # checkov:skip=CKV2_AWS_57:Rotating SECRET_KEY logs every user out; it is rotated deliberately with the runbook procedure, not on a timer
  name        = "${local.name}/app"
  description = "SECRET_KEY, METRICS_BEARER_TOKEN, EMAIL_URL, ALERTS_SLACK_WEBHOOK_URL, ALERTS_WEBHOOK_URL for MatchMinds"
  kms_key_id  = aws_kms_key.app_secret.arn
  tags        = local.tags
}

resource "aws_secretsmanager_secret_version" "app" {
  secret_id = aws_secretsmanager_secret.app.id
  secret_string = jsonencode({
    SECRET_KEY               = random_password.django_secret_key.result
    METRICS_BEARER_TOKEN     = random_password.metrics_bearer_token.result
    EMAIL_URL                = ""
    ALERTS_SLACK_WEBHOOK_URL = ""
    ALERTS_WEBHOOK_URL       = ""
  })

  lifecycle {
    ignore_changes = [secret_string]
  }
}

module "app_iam" {
  source = "../app-iam"

  name              = local.name
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  media_bucket_arn  = module.storage.bucket_arn
  media_kms_key_arn = module.storage.kms_key_arn
  alert_topic_arn   = module.alerts.topic_arn
  alert_kms_key_arn = module.alerts.kms_key_arn
  secret_arns = [
    aws_secretsmanager_secret.app.arn,
    module.database.master_user_secret_arn,
    module.cache.secret_arn,
    module.auth.secret_arn,
  ]
  secret_kms_key_arns = [
    aws_kms_key.app_secret.arn,
    module.database.kms_key_arn,
    module.cache.kms_key_arn,
    module.auth.kms_key_arn,
  ]
  tags = local.tags
}
