# Acme Shop's PagerDuty, as the team keeps it in Terraform. The console reads these files
# offline (`incident-console import-terraform sample_data/terraform`) so that drills, the
# on-call view and lint run against what production uses.

terraform {
  required_version = ">= 1.5"
  required_providers {
    pagerduty = {
      source  = "PagerDuty/pagerduty"
      version = "~> 3.15"
    }
  }
}

# The token comes from PAGERDUTY_TOKEN in CI; it never lives in these files.
provider "pagerduty" {}

variable "email_domain" {
  description = "Where everyone's PagerDuty login lives"
  type        = string
  default     = "example.com"
}

variable "rotation_epoch" {
  description = "The Monday the weekly rotations were set up, 09:00 New York"
  type        = string
  default     = "2026-01-05T09:00:00-05:00"
}

variable "americas_time_zone" {
  type    = string
  default = "America/New_York"
}

variable "database_time_zone" {
  type    = string
  default = "Europe/Berlin"
}

variable "payments_ack_timeout" {
  description = "Seconds before an acknowledged payments incident pages again"
  type        = number
  default     = 1800
}

variable "routing_keys" {
  description = "Events API v2 routing keys the monitoring stack already sends to"
  type        = map(string)
  default = {
    payments = "acme0payments0routing0key000001"
    checkout = "acme0checkout0routing0key000002"
    database = "acme0database0routing0key000003"
    search   = "acme0search0routing0key00000004"
    auth     = "acme0auth0routing0key00000000005"
  }
}

variable "db_failover" {
  description = "The next orders-db failover rehearsal"
  type = object({
    start = string
    end   = string
  })
  default = {
    start = "2026-12-06T02:00:00Z"
    end   = "2026-12-06T04:00:00Z"
  }
}
