resource "pagerduty_user" "people" {
  for_each = local.people

  name      = each.value.name
  email     = "${each.key}@${var.email_domain}"
  time_zone = each.value.tz
  role      = "user"
}

# Seun's account is managed by the SRE organisation's Terraform; this repository only
# reads it.
data "pagerduty_user" "seun" {
  email = "seun@${var.email_domain}"
}

resource "pagerduty_team" "shop" {
  name        = "Shop engineering"
  description = "Payments, checkout, search, identity and the orders database"
}

resource "pagerduty_team_membership" "shop" {
  for_each = pagerduty_user.people

  team_id = pagerduty_team.shop.id
  user_id = each.value.id
  role    = "responder"
}

resource "pagerduty_user_contact_method" "ada_phone" {
  user_id      = pagerduty_user.people["ada"].id
  type         = "phone_contact_method"
  country_code = "+44"
  address      = "2079460000"
  label        = "Work"
}
