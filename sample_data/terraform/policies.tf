resource "pagerduty_escalation_policy" "payments" {
  name      = "Payments escalation"
  num_loops = 2
  teams     = [pagerduty_team.shop.id]

  rule {
    escalation_delay_in_minutes = 15
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.payments_primary.id
    }
  }

  rule {
    escalation_delay_in_minutes = 15
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.platform_sun.id
    }
  }

  rule {
    escalation_delay_in_minutes = 30
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.eng_managers.id
    }
  }
}

resource "pagerduty_escalation_policy" "storefront" {
  name      = "Storefront escalation"
  num_loops = 1
  teams     = [pagerduty_team.shop.id]

  rule {
    escalation_delay_in_minutes = 10
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.platform_sun.id
    }
  }

  rule {
    escalation_delay_in_minutes = 20
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.payments_primary.id
    }
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.eng_managers.id
    }
  }
}

resource "pagerduty_escalation_policy" "database" {
  name      = "Database escalation"
  num_loops = 1
  teams     = [pagerduty_team.shop.id]

  rule {
    escalation_delay_in_minutes = 10
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.database_oncall.id
    }
  }

  rule {
    escalation_delay_in_minutes = 15
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.platform_sun.id
    }
  }

  rule {
    escalation_delay_in_minutes = 30
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.eng_managers.id
    }
  }
}

# One rule only: a missed page reaches nobody else (lint warns about it).
resource "pagerduty_escalation_policy" "search" {
  name      = "Search escalation"
  num_loops = 3

  rule {
    escalation_delay_in_minutes = 20
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.platform_sun.id
    }
  }
}

resource "pagerduty_escalation_policy" "identity" {
  name      = "Identity escalation"
  num_loops = 1

  rule {
    escalation_delay_in_minutes = 15
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.platform_sun.id
    }
  }

  rule {
    escalation_delay_in_minutes = 15
    target {
      type = "user_reference"
      id   = pagerduty_user.people["ada"].id
    }
    target {
      type = "schedule_reference"
      id   = pagerduty_schedule.eng_managers.id
    }
  }
}
