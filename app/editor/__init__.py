"""What the entry editor asks of the server while a member writes: previews, and remembering saved drafts."""
