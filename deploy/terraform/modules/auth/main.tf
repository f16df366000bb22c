data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_cognito_user_pool" "this" {
  name                     = var.name
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  mfa_configuration        = "OPTIONAL"
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  software_token_mfa_configuration {
    enabled = true
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = false
    temporary_password_validity_days = 3
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  admin_create_user_config {
    allow_admin_create_user_only = false
  }

  username_configuration {
    case_sensitive = false
  }

  schema {
    name                = "email"
    attribute_data_type = "String"
    required            = true
    mutable             = true
    string_attribute_constraints {
      min_length = 5
      max_length = 254
    }
  }

  tags = var.tags
}

resource "aws_cognito_user_pool_domain" "this" {
  domain       = var.domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

resource "aws_cognito_user_pool_client" "app" {
  name                                 = "${var.name}-web"
  user_pool_id                         = aws_cognito_user_pool.this.id
  generate_secret                      = true
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email", "profile"]
  supported_identity_providers         = ["COGNITO"]
  callback_urls                        = var.callback_urls
  logout_urls                          = var.logout_urls
  explicit_auth_flows                  = ["ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors        = "ENABLED"
  enable_token_revocation              = true
  access_token_validity                = 1
  id_token_validity                    = 1
  refresh_token_validity               = 30

  token_validity_units {
    access_token  = "hours"
    id_token      = "hours"
    refresh_token = "days"
  }
}

resource "aws_cognito_user_group" "this" {
  for_each = var.groups

  name         = each.key
  user_pool_id = aws_cognito_user_pool.this.id
  precedence   = each.value
  description  = "MatchMinds ${each.key}"
}

# The client secret never appears in code or chart values: External Secrets copies it
# from here into the app's Kubernetes Secret.
resource "aws_kms_key" "oidc" {
  description         = "${var.name} OIDC client secret"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.oidc_key.json
  tags                = var.tags
}

data "aws_iam_policy_document" "oidc_key" {
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

resource "aws_secretsmanager_secret" "oidc" {
  # checkov:skip=CKV2_AWS_57:Cognito cannot rotate an app client secret in place; rotation is a new client plus a deploy, described in the runbook
  name        = "${var.name}/oidc"
  description = "OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET for MatchMinds"
  kms_key_id  = aws_kms_key.oidc.arn
  tags        = var.tags
}

resource "aws_secretsmanager_secret_version" "oidc" {
  secret_id = aws_secretsmanager_secret.oidc.id
  secret_string = jsonencode({
    OIDC_RP_CLIENT_ID     = aws_cognito_user_pool_client.app.id
    OIDC_RP_CLIENT_SECRET = aws_cognito_user_pool_client.app.client_secret
  })
}
