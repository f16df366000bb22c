output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "CIDR of the VPC (the chart's networkPolicy.ingressCIDRs)."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets for nodes, pods, Aurora and ElastiCache."
  value       = aws_subnet.private[*].id
}

output "public_subnet_ids" {
  description = "Public subnets for the internet-facing ALB and NAT gateways."
  value       = aws_subnet.public[*].id
}
