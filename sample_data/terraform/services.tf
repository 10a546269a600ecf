resource "pagerduty_service" "payments" {
  name                    = "payments-api-prod-us-east-1"
  description             = "Card authorisation, capture and refunds"
  escalation_policy       = pagerduty_escalation_policy.payments.id
  acknowledgement_timeout = var.payments_ack_timeout
  auto_resolve_timeout    = local.auto_resolve["payments"]
  alert_creation          = "create_alerts_and_incidents"

  alert_grouping_parameters {
    type = "time"
    config {
      timeout = 300
    }
  }
}

resource "pagerduty_service" "checkout" {
  name                    = "checkout-web-prod"
  description             = "Cart, checkout pages and order placement"
  escalation_policy       = pagerduty_escalation_policy.storefront.id
  acknowledgement_timeout = 1800
  auto_resolve_timeout    = "null"
}

resource "pagerduty_service" "database" {
  name                    = "orders-db-primary"
  description             = "The orders database cluster and its replicas"
  escalation_policy       = pagerduty_escalation_policy.database.id
  acknowledgement_timeout = "null"
  auto_resolve_timeout    = local.auto_resolve["database"]

  alert_grouping_parameters {
    type = "content_based"
    config {
      aggregate = "all"
      fields    = ["source", "component"]
    }
  }
}

resource "pagerduty_service" "search" {
  name                    = "search-es-prod"
  description             = "Product search and suggestions"
  escalation_policy       = pagerduty_escalation_policy.search.id
  acknowledgement_timeout = "null"
  auto_resolve_timeout    = local.auto_resolve["search"]
}

resource "pagerduty_service" "auth" {
  name                    = "auth-idp-prod"
  description             = "Sign-in, sessions and API tokens"
  escalation_policy       = pagerduty_escalation_policy.identity.id
  acknowledgement_timeout = 3600
  auto_resolve_timeout    = "null"
}

# The monitoring stack sends Events API v2 to each service with these routing keys.
resource "pagerduty_service_integration" "events" {
  for_each = var.routing_keys

  name            = "Events API v2"
  type            = "events_api_v2_inbound_integration"
  service         = local.service_ids[each.key]
  integration_key = each.value
}

locals {
  service_ids = {
    payments = pagerduty_service.payments.id
    checkout = pagerduty_service.checkout.id
    database = pagerduty_service.database.id
    search   = pagerduty_service.search.id
    auth     = pagerduty_service.auth.id
  }
}

data "pagerduty_vendor" "datadog" {
  name = "Datadog"
}

# Datadog monitors for search page through their own integration; PagerDuty makes its key.
resource "pagerduty_service_integration" "search_datadog" {
  name    = "Datadog"
  service = pagerduty_service.search.id
  vendor  = data.pagerduty_vendor.datadog.id
}

resource "pagerduty_service_dependency" "checkout_needs_payments" {
  dependency {
    dependent_service {
      id   = pagerduty_service.checkout.id
      type = "service"
    }
    supporting_service {
      id   = pagerduty_service.payments.id
      type = "service"
    }
  }
}
