"""Importing entries from plain-text/Markdown files, such as pages saved from GotoKnow.org."""

from app.importer.parser import ParsedComment, ParsedEntry, parse_page

__all__ = ["ParsedComment", "ParsedEntry", "parse_page"]
