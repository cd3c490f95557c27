"""Members report entries and comments to the site administrators."""
