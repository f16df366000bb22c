variable "environment" {
  description = "Environment name; part of every resource name."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "vpc_cidr" {
  description = "VPC CIDR (a /16; must not overlap other environments if they are ever peered)."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a valid IPv4 CIDR."
  }
}

variable "availability_zones" {
  description = "Availability zones used by subnets, nodes, Aurora and ElastiCache."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "Give at least two availability zones."
  }
}

variable "single_nat_gateway" {
  description = "Share one NAT gateway across zones (cheaper; dev)."
  type        = bool
}

variable "kubernetes_version" {
  description = "EKS Kubernetes minor version."
  type        = string
  default     = "1.34"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.34."
  }
}

variable "eks_public_endpoint" {
  description = "Expose the EKS API publicly (restricted by eks_public_access_cidrs) for hosted CI runners."
  type        = bool
  default     = false
}

variable "eks_public_access_cidrs" {
  description = "CIDRs allowed to reach a public EKS API endpoint."
  type        = list(string)
  default     = []

  validation {
    condition     = !contains(var.eks_public_access_cidrs, "0.0.0.0/0")
    error_message = "Never open the EKS API to 0.0.0.0/0."
  }
}

variable "eks_admin_role_arns" {
  description = "IAM roles of operators granted cluster-admin."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.eks_admin_role_arns : can(regex("^arn:aws:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "eks_admin_role_arns must be IAM role ARNs."
  }
}

variable "node_groups" {
  description = "EKS managed node groups (see modules/eks)."
  type = map(object({
    instance_types = list(string)
    capacity_type  = string
    min_size       = number
    max_size       = number
    desired_size   = number
    labels         = optional(map(string), {})
    taint          = optional(object({ key = string, value = string, effect = string }))
  }))

  validation {
    condition     = length(var.node_groups) > 0
    error_message = "Define at least one node group."
  }
}

variable "db_min_capacity" {
  description = "Aurora Serverless v2 minimum ACUs (0 lets dev pause when idle)."
  type        = number

  validation {
    condition     = var.db_min_capacity >= 0
    error_message = "db_min_capacity must not be negative."
  }
}

variable "db_max_capacity" {
  description = "Aurora Serverless v2 maximum ACUs (cost ceiling)."
  type        = number

  validation {
    condition     = var.db_max_capacity >= 1
    error_message = "db_max_capacity must be at least 1."
  }
}

variable "db_instance_count" {
  description = "Aurora instances (writer plus readers for failover)."
  type        = number

  validation {
    condition     = var.db_instance_count >= 1 && var.db_instance_count <= 3
    error_message = "db_instance_count must be 1 to 3."
  }
}

variable "db_backup_retention_days" {
  description = "Aurora backup retention in days."
  type        = number

  validation {
    condition     = var.db_backup_retention_days >= 7
    error_message = "Keep at least 7 days of backups."
  }
}

variable "cache_node_type" {
  description = "ElastiCache node type."
  type        = string

  validation {
    condition     = startswith(var.cache_node_type, "cache.")
    error_message = "cache_node_type must start with cache."
  }
}

variable "cache_node_count" {
  description = "ElastiCache nodes (2+ enables Multi-AZ failover)."
  type        = number

  validation {
    condition     = var.cache_node_count >= 1 && var.cache_node_count <= 3
    error_message = "cache_node_count must be 1 to 3."
  }
}

variable "app_domain" {
  description = "Public host name of the app (the chart's ingress.host)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", var.app_domain))
    error_message = "app_domain must be a DNS name."
  }
}

variable "media_domain" {
  description = "Host name of the media CDN."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", var.media_domain))
    error_message = "media_domain must be a DNS name."
  }
}

variable "media_certificate_arn" {
  description = "ACM certificate in us-east-1 for media_domain."
  type        = string

  validation {
    condition     = can(regex("^arn:aws:acm:us-east-1:[0-9]{12}:certificate/.+$", var.media_certificate_arn))
    error_message = "media_certificate_arn must be an ACM certificate ARN in us-east-1."
  }
}

variable "cognito_domain_prefix" {
  description = "Cognito hosted UI domain prefix."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]{3,63}$", var.cognito_domain_prefix))
    error_message = "cognito_domain_prefix must be 3-63 lower-case letters, digits or dashes."
  }
}

variable "github_repository" {
  description = "GitHub owner/name whose workflows push and deploy."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the GitHub OIDC provider (false if the account already has one)."
  type        = bool
  default     = true
}

variable "alert_emails" {
  description = "E-mail addresses receiving CloudWatch alarms."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "alert_emails must be e-mail addresses."
  }
}

variable "deletion_protection" {
  description = "Protect Aurora and Cognito from deletion."
  type        = bool
  default     = true
}
