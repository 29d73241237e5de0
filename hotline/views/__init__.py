"""Pages of 接诉即办 (12345), one module per page family (urls.py names each view by its
module): the operator takes a request and dispatches it straight to the street; the street
accepts, contacts the citizen, replies (or returns it, or blows a whistle when departments
are needed); the operator calls the citizen back; everyone signed in sees the daily and
monthly rankings of the streets.

Habits of the platform: the object is looked up in the person's scope first (outside → 404),
then the role is checked (→ 403), then the service decides."""
