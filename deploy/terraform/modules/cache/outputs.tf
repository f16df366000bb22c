output "primary_endpoint" {
  description = "host:port of the primary, for the chart's worker.keda.redis.address."
  value       = "${aws_elasticache_replication_group.this.primary_endpoint_address}:6379"
}

output "member_clusters" {
  description = "Cache cluster ids (CloudWatch dimension CacheClusterId)."
  value       = aws_elasticache_replication_group.this.member_clusters
}

output "secret_arn" {
  description = "Secrets Manager secret holding REDIS_URL and REDIS_PASSWORD."
  value       = aws_secretsmanager_secret.redis.arn
}

output "kms_key_arn" {
  description = "KMS key of the cache and its secret (External Secrets needs decrypt)."
  value       = aws_kms_key.cache.arn
}
