output "role_arn" {
  description = "eks.amazonaws.com/role-arn of the controller's ServiceAccount (Helm value serviceAccount.annotations)."
  value       = aws_iam_role.this.arn
}
