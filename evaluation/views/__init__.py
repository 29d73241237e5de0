"""Pages of the evaluation (评价), the vetoes (否决) and the department scores (部门考核), one
module per page family (urls.py names each view by its module).

Every object is looked up through `visible_to(request.user)` first (outside the person's
scope: 404); in scope without the role or the power: 403; then the service decides (its
ValidationError goes back on the form, a Conflict becomes a message and a redirect)."""
