data "pagerduty_priority" "p1" {
  name = "P1"
}

data "pagerduty_priority" "p2" {
  name = "P2"
}

data "pagerduty_priority" "p3" {
  name = "P3"
}

# Every alert source of the shop sends to this orchestration's routing key.
resource "pagerduty_event_orchestration" "shop" {
  name        = "Acme Shop"
  description = "One front door for the shop's monitoring"
  team        = pagerduty_team.shop.id
}

resource "pagerduty_event_orchestration_global" "shop" {
  event_orchestration = pagerduty_event_orchestration.shop.id

  set {
    id = "start"

    rule {
      label = "Synthetic checks are not incidents"
      condition {
        expression = "event.summary matches part '[synthetic]'"
      }
      actions {
        drop_event = true
      }
    }

    rule {
      label = "Staging never pages"
      condition {
        expression = "event.custom_details.env matches 'staging'"
      }
      condition {
        expression = "event.source matches regex 'stg-.*'"
      }
      actions {
        suppress = true
      }
    }

    rule {
      label = "Critical alerts get a second look"
      condition {
        expression = "event.severity matches 'critical'"
      }
      actions {
        annotate = "Critical at the edge: check the status page"
        route_to = "critical"
      }
    }
  }

  set {
    id = "critical"

    rule {
      label = "Customers can see it"
      condition {
        expression = "event.custom_details.customer_facing matches 'true' or event.component matches 'checkout'"
      }
      actions {
        priority = data.pagerduty_priority.p1.id
      }
    }
  }

  catch_all {
    actions {}
  }
}

resource "pagerduty_event_orchestration_router" "shop" {
  event_orchestration = pagerduty_event_orchestration.shop.id

  set {
    id = "start"

    rule {
      label = "Payments"
      condition {
        expression = "event.source matches regex 'pay(ments)?-.*'"
      }
      actions {
        route_to = pagerduty_service.payments.id
      }
    }

    rule {
      label = "Checkout"
      condition {
        expression = "event.custom_details.service matches 'checkout'"
      }
      actions {
        route_to = pagerduty_service.checkout.id
      }
    }

    rule {
      label = "Orders database"
      condition {
        expression = "event.source matches regex 'db-.*' or event.class matches 'postgres'"
      }
      actions {
        route_to = pagerduty_service.database.id
      }
    }

    rule {
      label = "Search"
      condition {
        expression = "event.source matches part 'search'"
      }
      actions {
        route_to = pagerduty_service.search.id
      }
    }

    rule {
      label = "Identity"
      condition {
        expression = "event.custom_details.service matches 'auth' or event.source matches part 'idp'"
      }
      actions {
        route_to = pagerduty_service.auth.id
      }
    }
  }

  catch_all {
    actions {
      route_to = "unrouted"
    }
  }
}

resource "pagerduty_event_orchestration_service" "payments" {
  service                                = pagerduty_service.payments.id
  enable_event_orchestration_for_service = true

  set {
    id = "start"

    rule {
      label = "Declines spike"
      condition {
        expression = "event.summary matches part 'decline rate'"
      }
      actions {
        priority = data.pagerduty_priority.p2.id
        severity = "error"
      }
    }

    rule {
      label = "Warnings are P3"
      condition {
        expression = "event.severity matches 'warning'"
      }
      actions {
        priority = data.pagerduty_priority.p3.id
      }
    }
  }

  catch_all {
    actions {}
  }
}

resource "pagerduty_event_orchestration_service" "database" {
  service                                = pagerduty_service.database.id
  enable_event_orchestration_for_service = true

  set {
    id = "start"

    rule {
      label = "Replication lag during the nightly backup"
      condition {
        expression = "event.summary matches part 'replication lag' and event.custom_details.job matches 'nightly-backup'"
      }
      actions {
        suppress = true
      }
    }

    rule {
      label = "Primary down"
      condition {
        expression = "event.summary matches part 'primary unreachable'"
      }
      actions {
        severity = "critical"
        priority = data.pagerduty_priority.p1.id
        annotate = "Runbook: https://runbooks.acme.example/orders-db/failover"
        extraction {
          target   = "event.custom_details.runbook"
          template = "https://runbooks.acme.example/orders-db/failover"
        }
      }
    }
  }

  catch_all {
    actions {
      severity = "warning"
    }
  }
}

# Unrouted events make no incident; this only tidies what shows on the orchestration.
resource "pagerduty_event_orchestration_unrouted" "shop" {
  event_orchestration = pagerduty_event_orchestration.shop.id

  set {
    id = "start"
    rule {
      label = "Unrouted critical alerts stay visible"
      condition {
        expression = "event.severity matches 'critical'"
      }
      actions {
        severity = "critical"
      }
    }
  }

  catch_all {
    actions {
      severity = "info"
    }
  }
}
