"""Site administration: accounts (suspend, restore) and members' reports."""
