output "cluster_identifier" {
  description = "Aurora cluster identifier (CloudWatch dimension DBClusterIdentifier)."
  value       = aws_rds_cluster.this.cluster_identifier
}

output "endpoint" {
  description = "Writer endpoint for DATABASE_URL."
  value       = aws_rds_cluster.this.endpoint
}

output "port" {
  description = "PostgreSQL port."
  value       = aws_rds_cluster.this.port
}

output "database_name" {
  description = "Database name for DATABASE_URL."
  value       = aws_rds_cluster.this.database_name
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret with the master credentials (managed and rotated by RDS)."
  value       = aws_rds_cluster.this.master_user_secret[0].secret_arn
}

output "kms_key_arn" {
  description = "KMS key of the database and its master secret (External Secrets needs decrypt)."
  value       = aws_kms_key.db.arn
}
