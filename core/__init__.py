"""What every app shares and no feature owns: ids and scoped ids, generic filters, form error
handling, photos, idempotency keys, CSV/XLSX exports, SVG chart geometry, periods and the
Beijing time zone, the roles' vocabulary, the bounded decimal fields of the API and the
read-only admin.

core sits below accounts: it imports nothing from the project's apps (nor config), so any
app may import it. A helper belongs here when two apps need it and neither owns the concept;
what belongs to a concept of the reform (a whistle, a check-in, the deadline engine) stays in
its app, and other apps depend on that app for it."""
