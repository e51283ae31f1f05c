terraform {
  required_version = ">= 1.11.0"

  # State in S3 with S3-native locking (use_lockfile: no DynamoDB lock table). Create the bucket
  # (versioned, encrypted, public access blocked) once by hand before the first init.
  backend "s3" {
    bucket       = "courier-prod-tfstate"
    key          = "envs/prod/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 5.100.0"
    }
  }
}
