# Development: cheapest shape that still behaves like production.
# Everything else is shared: see modules/stack. The values here are validated there.

module "stack" {
  source = "../../modules/stack"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment        = "dev"
  vpc_cidr           = "10.10.0.0/16"
  availability_zones = ["ap-northeast-2a", "ap-northeast-2c"]
  single_nat_gateway = true

  eks_public_endpoint     = true
  eks_public_access_cidrs = ["203.0.113.0/24"]
  eks_admin_role_arns     = []

  create_github_oidc_provider = true

  node_groups = {
    general = {
      instance_types = ["t4g.large", "m7g.large"]
      capacity_type  = "SPOT"
      min_size       = 1
      max_size       = 3
      desired_size   = 2
    }
  }

  db_min_capacity          = 0
  db_max_capacity          = 4
  db_instance_count        = 1
  db_backup_retention_days = 7

  cache_node_type  = "cache.t4g.micro"
  cache_node_count = 1

  app_domain            = "dev.matchminds.example.com"
  media_domain          = "media.dev.matchminds.example.com"
  media_certificate_arn = "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
  cognito_domain_prefix = "matchminds-dev"
  github_repository     = "matchminds/matchminds"
  alert_emails          = ["oncall@matchminds.example.com"]
  deletion_protection   = false
}
