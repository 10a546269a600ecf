# The orders-db failover rehearsal: database and search (which reindexes from it) are
# expected to alert, and nobody should be paged for it.
resource "pagerduty_maintenance_window" "db_failover" {
  start_time  = var.db_failover.start
  end_time    = var.db_failover.end
  description = "Orders DB primary failover rehearsal"
  services    = [pagerduty_service.database.id, pagerduty_service.search.id]
}
