variable "name" {
  description = "Name prefix of the web ACL and its log group."
  type        = string
}

variable "rate_limit_per_5m" {
  description = "Requests one client IP may send in five minutes before the ACL blocks it."
  type        = number
  default     = 2000

  validation {
    condition     = var.rate_limit_per_5m >= 100
    error_message = "rate_limit_per_5m must be at least 100 (the WAF minimum)."
  }
}

variable "log_retention_days" {
  description = "Days WAF logs are kept in CloudWatch Logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch retention of at least one year."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
