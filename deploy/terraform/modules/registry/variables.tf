variable "name" {
  description = "Name prefix, e.g. matchminds-dev."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "repository_name" {
  description = "ECR repository for the app image."
  type        = string
  default     = "matchminds"

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.repository_name))
    error_message = "repository_name must be a valid ECR repository name."
  }
}

variable "keep_images" {
  description = "Tagged images kept for rollbacks; older ones expire."
  type        = number
  default     = 50

  validation {
    condition     = var.keep_images >= 10 && var.keep_images <= 1000
    error_message = "keep_images must be 10 to 1000 so rollbacks stay possible."
  }
}

variable "github_repository" {
  description = "GitHub owner/name allowed to push images and deploy through OIDC."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_environment" {
  description = "GitHub Actions environment whose jobs may assume the CI role (protect prod with reviewers)."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.github_environment)
    error_message = "github_environment must be dev or prod."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (only one may exist per account)."
  type        = bool
  default     = true
}

variable "cluster_name" {
  description = "EKS cluster the CI role deploys to (only DescribeCluster is granted; access comes from an EKS access entry)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
