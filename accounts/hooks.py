"""Hooks that higher apps register in their AppConfig.ready().

start_pages: callables (user) -> URL name | None. The home page sends a person to the first
page any of them names (community/: a steward or an alley chief with no other role lands on
the front line)."""

start_pages: list = []
