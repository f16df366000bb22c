variable "name" {
  description = "Name prefix, e.g. matchminds-dev."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (two or more zones) for the DB subnet group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "Aurora needs subnets in at least two availability zones."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on 5432 (the EKS cluster security group)."
  type        = list(string)
}

variable "engine_version" {
  description = "Aurora PostgreSQL engine version (16.x supports scaling to zero ACUs)."
  type        = string
  default     = "16.6"

  validation {
    condition     = can(regex("^1[6-9]\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be Aurora PostgreSQL 16 or newer, e.g. 16.6."
  }
}

variable "min_capacity" {
  description = "Minimum Aurora Serverless v2 ACUs; 0 lets an idle dev database pause (it resumes in seconds)."
  type        = number

  validation {
    condition     = var.min_capacity >= 0 && var.min_capacity <= 256 && floor(var.min_capacity * 2) == var.min_capacity * 2
    error_message = "min_capacity must be between 0 and 256 in steps of 0.5."
  }
}

variable "max_capacity" {
  description = "Maximum Aurora Serverless v2 ACUs (the cost ceiling)."
  type        = number

  validation {
    condition     = var.max_capacity >= 1 && var.max_capacity <= 256 && floor(var.max_capacity * 2) == var.max_capacity * 2
    error_message = "max_capacity must be between 1 and 256 in steps of 0.5."
  }
}

variable "instance_count" {
  description = "Serverless instances: 1 writer plus readers in other zones for failover."
  type        = number

  validation {
    condition     = var.instance_count >= 1 && var.instance_count <= 3
    error_message = "instance_count must be 1 to 3."
  }
}

variable "backup_retention_days" {
  description = "Days of automated backups and point-in-time recovery."
  type        = number

  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be 7 to 35."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster (disable deliberately before destroying an environment)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
