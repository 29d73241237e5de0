"""Pages of the street committee's powers (domain.md, "The powers"), one module per page
family (urls.py names each view by its module).

Every object is looked up through `visible_to(request.user)` first (outside the person's
scope: 404); in scope without the power or the role: 403; then the service decides (its
ValidationError goes back on the form, a Conflict becomes a message)."""
