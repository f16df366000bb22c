# Production: three zones, Multi-AZ data stores, workers on Karpenter's spot-first capacity.
# Everything else is shared: see modules/stack. The values here are validated there.

module "stack" {
  source = "../../modules/stack"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment        = "prod"
  vpc_cidr           = "10.20.0.0/16"
  availability_zones = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]
  single_nat_gateway = false

  eks_public_endpoint     = true
  eks_public_access_cidrs = ["203.0.113.0/24"]
  eks_admin_role_arns     = []

  create_github_oidc_provider = true

  # Steady capacity for web, beat and the cluster's controllers; Celery workers run on
  # Karpenter's spot-first NodePool (deploy/karpenter/prod.yaml).
  node_groups = {
    general = {
      instance_types = ["m7g.large"]
      capacity_type  = "ON_DEMAND"
      min_size       = 2
      max_size       = 6
      desired_size   = 3
    }
  }

  db_min_capacity          = 0.5
  db_max_capacity          = 16
  db_instance_count        = 2
  db_backup_retention_days = 14

  cache_node_type  = "cache.t4g.small"
  cache_node_count = 2

  app_domain            = "matchminds.example.com"
  media_domain          = "media.matchminds.example.com"
  media_certificate_arn = "arn:aws:acm:us-east-1:222222222222:certificate/00000000-0000-0000-0000-000000000000"
  cognito_domain_prefix = "matchminds"
  github_repository     = "matchminds/matchminds"
  alert_emails          = ["oncall@matchminds.example.com"]
  deletion_protection   = true
}
