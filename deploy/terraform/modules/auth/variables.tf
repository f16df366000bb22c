variable "name" {
  description = "Name prefix, e.g. matchminds-dev."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "domain_prefix" {
  description = "Prefix of the Cognito hosted UI domain (<prefix>.auth.<region>.amazoncognito.com)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.domain_prefix)) && !can(regex("aws|amazon|cognito", var.domain_prefix))
    error_message = "domain_prefix must be a lower-case DNS label without the reserved words aws, amazon or cognito."
  }
}

variable "callback_urls" {
  description = "OIDC redirect URIs of the app, e.g. https://matchminds.example.com/oidc/callback/."
  type        = list(string)

  validation {
    condition     = length(var.callback_urls) > 0 && alltrue([for url in var.callback_urls : startswith(url, "https://")])
    error_message = "callback_urls must be one or more https:// URLs."
  }
}

variable "logout_urls" {
  description = "URLs Cognito may redirect to after logout."
  type        = list(string)

  validation {
    condition     = alltrue([for url in var.logout_urls : startswith(url, "https://")])
    error_message = "logout_urls must be https:// URLs."
  }
}

variable "groups" {
  description = "Cognito groups (the app maps them to roles) and their precedence; lower wins."
  type        = map(number)
  default = {
    admin       = 1
    organizer   = 10
    moderator   = 20
    participant = 100
  }

  validation {
    condition     = alltrue([for name, precedence in var.groups : can(regex("^[a-z][a-z0-9_-]*$", name)) && precedence >= 0])
    error_message = "Group names must be lower-case identifiers and precedences non-negative."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the user pool (its users cannot be recreated)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
