data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_kms_key" "cache" {
  description         = "${var.name} ElastiCache data, slow log and AUTH token secret"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.cache_key.json
  tags                = var.tags
}

data "aws_iam_policy_document" "cache_key" {
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

  statement {
    sid       = "SlowLogEncryption"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:log-group:/aws/elasticache/${var.name}/*"]
    }
  }
}

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_security_group" "cache" {
  name        = "${var.name}-cache"
  description = "ElastiCache: reachable from EKS pods only"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "cache" {
  for_each = toset(var.allowed_security_group_ids)

  security_group_id            = aws_security_group.cache.id
  description                  = "Redis protocol from EKS"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = each.value
}

# Generated here, never written in code; it lands in the encrypted state and in Secrets Manager.
resource "random_password" "auth_token" {
  length           = 48
  special          = true
  override_special = "!&#$^<>-"
}

resource "aws_cloudwatch_log_group" "slow_log" {
  name              = "/aws/elasticache/${var.name}/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.cache.arn
  tags              = var.tags
}

resource "aws_elasticache_replication_group" "this" {
  # checkov:skip=CKV2_AWS_50:Failover follows node_count: prod runs 2 nodes with Multi-AZ automatic failover, dev runs 1 node to save cost
  replication_group_id       = var.name
  description                = "MatchMinds Celery broker, Channels layer and cache"
  engine                     = "valkey"
  engine_version             = var.engine_version
  node_type                  = var.node_type
  num_cache_clusters         = var.node_count
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [aws_security_group.cache.id]
  automatic_failover_enabled = var.node_count > 1
  multi_az_enabled           = var.node_count > 1
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.cache.arn
  transit_encryption_enabled = true
  auth_token                 = random_password.auth_token.result
  auth_token_update_strategy = "ROTATE"
  snapshot_retention_limit   = var.snapshot_retention_days
  snapshot_window            = "17:00-18:00"
  maintenance_window         = "sun:18:30-sun:19:30"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.slow_log.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }

  tags = var.tags
}

resource "aws_secretsmanager_secret" "redis" {
  # checkov:skip=CKV2_AWS_57:Rotating the AUTH token needs a coordinated ROTATE on the replication group and a pod restart; done by the runbook, not a Lambda
  name        = "${var.name}/redis"
  description = "REDIS_URL and REDIS_PASSWORD for MatchMinds (synced into Kubernetes by External Secrets)"
  kms_key_id  = aws_kms_key.cache.arn
  tags        = var.tags
}

resource "aws_secretsmanager_secret_version" "redis" {
  secret_id = aws_secretsmanager_secret.redis.id
  secret_string = jsonencode({
    REDIS_PASSWORD = random_password.auth_token.result
    REDIS_URL      = "rediss://:${urlencode(random_password.auth_token.result)}@${aws_elasticache_replication_group.this.primary_endpoint_address}:6379/0"
  })
}
