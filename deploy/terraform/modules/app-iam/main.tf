# Least-privilege IAM roles for pods (IRSA): the app reaches its own media prefix, publishes
# to its alert topic and calls Rekognition moderation; External Secrets reads only the
# app's secrets.

data "aws_iam_policy_document" "app_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.app_service_account}"]
    }
  }
}

resource "aws_iam_role" "app" {
  name                 = "${var.name}-app"
  description          = "MatchMinds web/worker/beat pods"
  assume_role_policy   = data.aws_iam_policy_document.app_assume.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "app" {
  # checkov:skip=CKV_AWS_356:rekognition:DetectModerationLabels on the stock model takes no resource; the only ARN type is a custom-adapter project version the app does not use
  statement {
    sid       = "MediaObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.media_bucket_arn}/${var.media_prefix}*"]
  }

  statement {
    sid       = "MediaListing"
    actions   = ["s3:ListBucket"]
    resources = [var.media_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.media_prefix}*"]
    }
  }

  statement {
    sid       = "MediaEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.media_kms_key_arn]
  }

  statement {
    sid       = "PublishAlerts"
    actions   = ["sns:Publish"]
    resources = [var.alert_topic_arn]
  }

  statement {
    sid       = "AlertTopicEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.alert_kms_key_arn]
  }

  # Rekognition's Detect* actions support no resource-level permissions.
  statement {
    sid       = "ImageModeration"
    actions   = ["rekognition:DetectModerationLabels"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "app" {
  name   = "app"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

data "aws_iam_policy_document" "external_secrets_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${var.external_secrets_service_account}"]
    }
  }
}

resource "aws_iam_role" "external_secrets" {
  name                 = "${var.name}-external-secrets"
  description          = "External Secrets Operator: read the MatchMinds secrets only"
  assume_role_policy   = data.aws_iam_policy_document.external_secrets_assume.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "external_secrets" {
  statement {
    sid       = "ReadAppSecrets"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = var.secret_arns
  }

  statement {
    sid       = "DecryptAppSecrets"
    actions   = ["kms:Decrypt"]
    resources = var.secret_kms_key_arns
  }
}

resource "aws_iam_role_policy" "external_secrets" {
  name   = "read-app-secrets"
  role   = aws_iam_role.external_secrets.id
  policy = data.aws_iam_policy_document.external_secrets.json
}
