variable "name" {
  description = "Name prefix and bucket name stem, e.g. matchminds-dev."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "media_domain" {
  description = "Host name CloudFront serves public media on, e.g. media.matchminds.example.com."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", var.media_domain))
    error_message = "media_domain must be a DNS name."
  }
}

variable "certificate_arn" {
  description = "ACM certificate in us-east-1 covering media_domain (CloudFront only uses us-east-1 certificates)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws:acm:us-east-1:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN in us-east-1."
  }
}

variable "public_prefix" {
  description = "Key prefix CloudFront may read (public images); everything else is served by presigned URLs only."
  type        = string
  default     = "media/public/"

  validation {
    condition     = can(regex("^[a-z0-9/_-]+/$", var.public_prefix))
    error_message = "public_prefix must end with a slash, e.g. media/public/."
  }
}

variable "noncurrent_version_days" {
  description = "Days to keep overwritten or deleted object versions (recovery window for user media)."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_days >= 1 && var.noncurrent_version_days <= 365
    error_message = "noncurrent_version_days must be 1 to 365."
  }
}

variable "log_retention_days" {
  description = "Days to keep S3 and CloudFront access logs."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 90
    error_message = "Keep access logs at least 90 days."
  }
}

variable "price_class" {
  description = "CloudFront price class; PriceClass_200 covers Korea at lower cost than All."
  type        = string
  default     = "PriceClass_200"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
