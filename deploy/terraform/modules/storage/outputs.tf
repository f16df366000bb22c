output "bucket_name" {
  description = "Media bucket (AWS_STORAGE_BUCKET_NAME)."
  value       = aws_s3_bucket.media.bucket
}

output "bucket_arn" {
  description = "Media bucket ARN."
  value       = aws_s3_bucket.media.arn
}

output "kms_key_arn" {
  description = "KMS key encrypting the media bucket (the app role needs encrypt/decrypt)."
  value       = aws_kms_key.media.arn
}

output "cloudfront_domain_name" {
  description = "CloudFront domain to point media_domain at (CNAME/alias)."
  value       = aws_cloudfront_distribution.media.domain_name
}

output "cloudfront_distribution_id" {
  description = "CloudFront distribution id (for invalidations)."
  value       = aws_cloudfront_distribution.media.id
}
