variable "name" {
  description = "Name prefix, e.g. matchminds-dev."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "oidc_provider_arn" {
  description = "IAM OIDC provider of the EKS cluster."
  type        = string
}

variable "oidc_issuer" {
  description = "Cluster OIDC issuer without https:// (for the trust conditions)."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the release."
  type        = string
  default     = "matchminds"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label."
  }
}

variable "app_service_account" {
  description = "ServiceAccount of the web, worker and beat pods (the chart's full name)."
  type        = string
  default     = "matchminds"
}

variable "external_secrets_service_account" {
  description = "namespace:name of the External Secrets Operator ServiceAccount that reads the app's secrets."
  type        = string
  default     = "external-secrets:external-secrets"

  validation {
    condition     = can(regex("^[a-z0-9-]+:[a-z0-9-]+$", var.external_secrets_service_account))
    error_message = "external_secrets_service_account must be namespace:name."
  }
}

variable "media_bucket_arn" {
  description = "Media bucket ARN."
  type        = string
}

variable "media_prefix" {
  description = "Key prefix the app may read and write (its whole media tree)."
  type        = string
  default     = "media/"

  validation {
    condition     = can(regex("^[a-z0-9/_-]+/$", var.media_prefix))
    error_message = "media_prefix must end with a slash, e.g. media/."
  }
}

variable "media_kms_key_arn" {
  description = "KMS key encrypting the media bucket."
  type        = string
}

variable "alert_topic_arn" {
  description = "SNS topic the app publishes to."
  type        = string
}

variable "alert_kms_key_arn" {
  description = "KMS key of the SNS topic."
  type        = string
}

variable "secret_arns" {
  description = "Secrets Manager secrets External Secrets may read to build the app's Kubernetes Secret."
  type        = list(string)
}

variable "secret_kms_key_arns" {
  description = "KMS keys of those secrets."
  type        = list(string)
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
