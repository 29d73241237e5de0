"""Hooks that higher apps register in their AppConfig.ready().

close_guards: callables (whistle) -> str | None. Closing a resolved whistle answers 409 with
the first reason any guard gives (evaluation/ holds a whistle until its check-ins are evaluated
or the evaluation window has lapsed).

resolved_hooks: callables (whistle, now) called inside the transaction that resolves a
whistle (evaluation/ opens the evaluation window)."""

close_guards: list = []
resolved_hooks: list = []
