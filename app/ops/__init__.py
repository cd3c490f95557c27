"""Running Sala: the health check, and consistent backups and restores of the database and uploads."""
