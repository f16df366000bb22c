variable "name" {
  description = "Name prefix of the role."
  type        = string
}

variable "cluster_name" {
  description = "EKS cluster whose load balancers the controller manages (the elbv2.k8s.aws/cluster tag)."
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
  description = "Namespace of the controller's ServiceAccount."
  type        = string
  default     = "kube-system"
}

variable "service_account" {
  description = "Name of the controller's ServiceAccount."
  type        = string
  default     = "aws-load-balancer-controller"

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
