data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
}

resource "aws_kms_key" "alerts" {
  description         = "${var.name} alert topic"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.alerts_key.json
  tags                = var.tags
}

data "aws_iam_policy_document" "alerts_key" {
  # checkov:skip=CKV_AWS_109:KMS key policy: "*" means this key only, and the account-root statement is AWS's default that delegates key use to IAM policies
  # checkov:skip=CKV_AWS_111:KMS key policy: "*" means this key only; writes are limited to the account root and condition-scoped service principals
  # checkov:skip=CKV_AWS_356:KMS key policy: a key policy's resource is always "*" (the key it is attached to)
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch alarms publish to the encrypted topic.
  statement {
    sid       = "CloudWatchPublishes"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic" "alerts" {
  name              = "${var.name}-alerts"
  kms_master_key_id = aws_kms_key.alerts.arn
  tags              = var.tags
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "CloudWatchAlarms"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = each.value
}

# ---------------------------------------------------------------- alarms

locals {
  # Aurora alarms, keyed by the resource names they had before the for_each.
  db_alarms = {
    db_acu = {
      name               = "${var.name}-aurora-acu-high"
      description        = "Aurora is near its maximum capacity; raise max_capacity or find the expensive queries. See docs/operations.md."
      namespace          = "AWS/RDS"
      metric_name        = "ACUUtilization"
      dimensions         = { DBClusterIdentifier = var.db_cluster_identifier }
      statistic          = "Average"
      evaluation_periods = 3
      threshold          = var.db_acu_utilization_percent
      notify_ok          = true
    }
    db_cpu = {
      name               = "${var.name}-aurora-cpu-high"
      description        = "Aurora CPU above 80% for 15 minutes. See docs/operations.md."
      namespace          = "AWS/RDS"
      metric_name        = "CPUUtilization"
      dimensions         = { DBClusterIdentifier = var.db_cluster_identifier }
      statistic          = "Average"
      evaluation_periods = 3
      threshold          = 80
      notify_ok          = true
    }
    db_deadlocks = {
      name               = "${var.name}-aurora-deadlocks"
      description        = "Aurora reports deadlocks (concurrent matching writes). See docs/operations.md."
      namespace          = "AWS/RDS"
      metric_name        = "Deadlocks"
      dimensions         = { DBClusterIdentifier = var.db_cluster_identifier }
      statistic          = "Sum"
      evaluation_periods = 1
      threshold          = 5
      notify_ok          = false
    }
  }

  # ElastiCache alarms, one of each per member cluster; the alarm is named <cluster>-<suffix>.
  cache_alarm_kinds = {
    cache_cpu = {
      suffix             = "engine-cpu-high"
      description        = "Redis engine CPU above 80%: the broker/channel layer is saturated. See docs/operations.md."
      metric_name        = "EngineCPUUtilization"
      statistic          = "Average"
      evaluation_periods = 3
      threshold          = 80
      notify_ok          = true
    }
    cache_memory = {
      suffix             = "memory-high"
      description        = "Redis memory above ${var.cache_memory_percent}%: queues are backing up or keys lack TTLs. See docs/operations.md."
      metric_name        = "DatabaseMemoryUsagePercentage"
      statistic          = "Maximum"
      evaluation_periods = 2
      threshold          = var.cache_memory_percent
      notify_ok          = true
    }
    cache_evictions = {
      suffix             = "evictions"
      description        = "Redis is evicting keys: Celery messages or channel groups may be lost. See docs/operations.md."
      metric_name        = "Evictions"
      statistic          = "Sum"
      evaluation_periods = 1
      threshold          = 0
      notify_ok          = false
    }
  }

  cache_alarms = merge([
    for kind, alarm in local.cache_alarm_kinds : {
      for cluster_id in var.cache_cluster_ids : "${kind}/${cluster_id}" => {
        name               = "${cluster_id}-${alarm.suffix}"
        description        = alarm.description
        namespace          = "AWS/ElastiCache"
        metric_name        = alarm.metric_name
        dimensions         = { CacheClusterId = cluster_id }
        statistic          = alarm.statistic
        evaluation_periods = alarm.evaluation_periods
        threshold          = alarm.threshold
        notify_ok          = alarm.notify_ok
      }
    }
  ]...)

  alarms = merge(local.db_alarms, local.cache_alarms)
}

# Every alarm: 5-minute periods, fires above its threshold, missing data is not a breach,
# notifies the topic on ALARM (and on OK where notify_ok).
resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = each.value.name
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = 300
  evaluation_periods  = each.value.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = each.value.notify_ok ? [aws_sns_topic.alerts.arn] : null
  tags                = var.tags
}
