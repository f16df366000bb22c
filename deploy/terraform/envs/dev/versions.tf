terraform {
  required_version = ">= 1.10.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.14"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }

  # State bucket created once per account (docs/operations.md, "First install").
  # use_lockfile gives S3-native state locking (Terraform >= 1.10), no DynamoDB table.
  backend "s3" {
    bucket       = "matchminds-dev-tfstate"
    key          = "envs/dev/terraform.tfstate"
    region       = "ap-northeast-2"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "matchminds"
      Environment = "dev"
    }
  }
}

# CloudFront's WAF and certificates live in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = {
      Project     = "matchminds"
      Environment = "dev"
    }
  }
}
