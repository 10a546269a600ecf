# Weekdays rotate weekly among the payments engineers; weekends have their own rotation
# on a higher layer, so it covers Saturday and Sunday.
resource "pagerduty_schedule" "payments_primary" {
  name      = "Payments primary"
  time_zone = var.americas_time_zone

  layer {
    name                         = "Weekdays"
    start                        = var.rotation_epoch
    rotation_virtual_start       = var.rotation_epoch
    rotation_turn_length_seconds = local.one_week
    users                        = local.payments_weekdays

    restriction {
      type              = "weekly_restriction"
      start_day_of_week = 1
      start_time_of_day = "00:00:00"
      duration_seconds  = 5 * local.one_day
    }
  }

  layer {
    name                         = "Weekends"
    start                        = "2026-01-03T00:00:00-05:00"
    rotation_virtual_start       = "2026-01-03T00:00:00-05:00"
    rotation_turn_length_seconds = local.one_week
    users                        = local.weekends

    restriction {
      type              = "weekly_restriction"
      start_day_of_week = 6
      start_time_of_day = "00:00:00"
      duration_seconds  = 2 * local.one_day
    }
  }

  teams = [pagerduty_team.shop.id]
}

# One layer whose 8-hour turns follow the sun: Tokyo, then London, then New York.
resource "pagerduty_schedule" "platform_sun" {
  name      = "Platform follow-the-sun"
  time_zone = "UTC"

  layer {
    name                         = "Follow the sun"
    start                        = "2026-01-01T00:00:00Z"
    rotation_virtual_start       = "2026-01-01T00:00:00Z"
    rotation_turn_length_seconds = 8 * local.one_hour
    users                        = local.follow_the_sun
  }
}

# A daily rotation handed off at 10:00 Berlin time; the team changed on 1 June, so the
# first layer ends where the second starts.
resource "pagerduty_schedule" "database_oncall" {
  name      = "Database on call"
  time_zone = var.database_time_zone

  layer {
    name                         = "Until June"
    start                        = "2026-01-05T10:00:00+01:00"
    end                          = local.database_until
    rotation_virtual_start       = "2026-01-05T10:00:00+01:00"
    rotation_turn_length_seconds = local.one_day
    users = [
      data.pagerduty_user.seun.id,
      pagerduty_user.people["priya"].id,
      pagerduty_user.people["ada"].id,
    ]
  }

  layer {
    name                         = "From June"
    start                        = local.database_until
    rotation_virtual_start       = local.database_until
    rotation_turn_length_seconds = local.one_day
    users = [
      data.pagerduty_user.seun.id,
      pagerduty_user.people["priya"].id,
      pagerduty_user.people["ada"].id,
      pagerduty_user.people["mateo"].id,
    ]
  }
}

# Engineering managers: a weekly backstop, and Mateo on a layer of Americas evenings
# whose restriction crosses midnight in New York.
resource "pagerduty_schedule" "eng_managers" {
  name      = "Engineering managers"
  time_zone = var.americas_time_zone

  layer {
    name                         = "Weekly"
    start                        = var.rotation_epoch
    rotation_virtual_start       = var.rotation_epoch
    rotation_turn_length_seconds = local.one_week
    users                        = [pagerduty_user.people["priya"].id, data.pagerduty_user.seun.id]
  }

  layer {
    name                         = "Evenings"
    start                        = var.rotation_epoch
    rotation_virtual_start       = var.rotation_epoch
    rotation_turn_length_seconds = local.one_week
    users                        = [pagerduty_user.people["mateo"].id]

    restriction {
      type              = "daily_restriction"
      start_time_of_day = "22:00:00"
      duration_seconds  = 8 * local.one_hour
    }
  }
}
