variable "name" {
  description = "Name prefix, e.g. matchminds-dev."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "alert_emails" {
  description = "E-mail addresses subscribed to the alert topic (each must confirm once)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "alert_emails must be e-mail addresses."
  }
}

variable "db_cluster_identifier" {
  description = "Aurora cluster to alarm on."
  type        = string
}

variable "cache_cluster_ids" {
  description = "ElastiCache member cluster ids to alarm on."
  type        = list(string)
}

variable "db_acu_utilization_percent" {
  description = "Alarm when Aurora uses more than this percentage of its maximum ACUs (raise max_capacity)."
  type        = number
  default     = 90

  validation {
    condition     = var.db_acu_utilization_percent > 0 && var.db_acu_utilization_percent <= 100
    error_message = "db_acu_utilization_percent must be 1 to 100."
  }
}

variable "cache_memory_percent" {
  description = "Alarm when a cache node uses more than this percentage of its memory."
  type        = number
  default     = 80

  validation {
    condition     = var.cache_memory_percent > 0 && var.cache_memory_percent <= 100
    error_message = "cache_memory_percent must be 1 to 100."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
