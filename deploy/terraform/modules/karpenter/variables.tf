variable "name" {
  description = "Name prefix of the roles, queue and rules."
  type        = string
}

variable "cluster_name" {
  description = "EKS cluster Karpenter provisions nodes for."
  type        = string
}

variable "cluster_security_group_id" {
  description = "Cluster security group; tagged so the EC2NodeClass selects it for new nodes."
  type        = string
}

variable "oidc_provider_arn" {
  description = "IAM OIDC provider of the cluster (IRSA)."
  type        = string
}

variable "oidc_issuer" {
  description = "OIDC issuer host/path without https://."
  type        = string
}

variable "namespace" {
  description = "Namespace of the Karpenter controller's ServiceAccount."
  type        = string
  default     = "kube-system"
}

variable "service_account" {
  description = "Name of the Karpenter controller's ServiceAccount."
  type        = string
  default     = "karpenter"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.service_account))
    error_message = "service_account must be a Kubernetes name."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
