output "topic_arn" {
  description = "Alert topic (the chart's config.alertSnsTopicArn; the app publishes here too)."
  value       = aws_sns_topic.alerts.arn
}

output "kms_key_arn" {
  description = "KMS key of the topic (publishers need GenerateDataKey/Decrypt)."
  value       = aws_kms_key.alerts.arn
}
