variable "name" {
  description = "Name prefix, e.g. matchminds-dev."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,34}$", var.name))
    error_message = "name must be 3-35 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC of the cache."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the cache subnet group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "Give at least one subnet."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on 6379 (the EKS cluster security group)."
  type        = list(string)
}

variable "node_type" {
  description = "Cache node type; Graviton t4g/m7g nodes are the cheapest per GiB."
  type        = string

  validation {
    condition     = can(regex("^cache\\.[a-z0-9]+\\.[a-z0-9]+$", var.node_type))
    error_message = "node_type must look like cache.t4g.small."
  }
}

variable "node_count" {
  description = "Nodes in the replication group: 1 (no failover, dev) or 2-3 (Multi-AZ automatic failover)."
  type        = number

  validation {
    condition     = var.node_count >= 1 && var.node_count <= 3
    error_message = "node_count must be 1 to 3."
  }
}

variable "engine_version" {
  description = "Valkey engine version (Redis OSS compatible, cheaper than Redis OSS on ElastiCache)."
  type        = string
  default     = "8.0"

  validation {
    condition     = can(regex("^[78]\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be a Valkey 7.x or 8.x version, e.g. 8.0."
  }
}

variable "snapshot_retention_days" {
  description = "Days of daily snapshots (the data is a broker and channel layer: a short history is enough)."
  type        = number
  default     = 1

  validation {
    condition     = var.snapshot_retention_days >= 1 && var.snapshot_retention_days <= 35
    error_message = "snapshot_retention_days must be 1 to 35."
  }
}

variable "log_retention_days" {
  description = "Days to keep the slow log in CloudWatch Logs."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 365
    error_message = "Keep logs for at least a year."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
