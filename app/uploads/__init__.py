"""Images members upload into their entries."""
