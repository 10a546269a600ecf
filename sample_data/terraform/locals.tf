locals {
  one_hour = 3600
  one_day  = 24 * local.one_hour
  one_week = 7 * local.one_day

  # Everyone whose PagerDuty account this repository manages, by handle.
  people = {
    ada   = { name = "Ada Lovelace", tz = "Europe/London" }
    grace = { name = "Grace Hopper", tz = "America/New_York" }
    kenji = { name = "Kenji Sato", tz = "Asia/Tokyo" }
    priya = { name = "Priya Raman", tz = "Asia/Kolkata" }
    mateo = { name = "Mateo Silva", tz = "America/Sao_Paulo" }
  }

  payments_weekdays = [for h in ["grace", "mateo", "ada"] : pagerduty_user.people[h].id]
  weekends          = [data.pagerduty_user.seun.id, pagerduty_user.people["kenji"].id]
  follow_the_sun    = [for h in ["kenji", "ada", "grace"] : pagerduty_user.people[h].id]
  database_until    = "2026-06-01T10:00:00+02:00"

  # Services whose incidents resolve themselves when nobody touches them.
  auto_resolve = {
    payments = 4 * local.one_hour
    database = 8 * local.one_hour
    search   = 2 * local.one_hour
  }
}
