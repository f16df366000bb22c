output "controller_role_arn" {
  description = "eks.amazonaws.com/role-arn of the Karpenter controller's ServiceAccount."
  value       = aws_iam_role.controller.arn
}

output "node_role_name" {
  description = "spec.role of the EC2NodeClass (deploy/karpenter)."
  value       = aws_iam_role.node.name
}

output "interruption_queue_name" {
  description = "Karpenter's settings.interruptionQueue."
  value       = aws_sqs_queue.interruption.name
}

output "discovery_tag" {
  description = "Tag that the EC2NodeClass selects subnets and security groups by."
  value       = local.discovery
}
