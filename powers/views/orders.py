"""Supervision orders (督办单): the list, and one order, which the department answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import timeline
from config.errors import Conflict
from core.filters import filtered
from core.forms import apply_service_errors

from .. import services
from ..filters import OrderFilter
from ..forms import ReplyForm
from ._common import _orders, _page


@login_required
def orders(request):
    filterset, queryset = filtered(OrderFilter, request, _orders(request.user))
    page, query = _page(request, queryset.order_by("-issued_at", "-id"))
    return render(
        request,
        "powers/orders.html",
        {"filter": filterset, "page": page, "query": query, "now": timezone.now()},
    )


@login_required
def order(request, pk):
    user = request.user
    order = get_object_or_404(_orders(user), pk=pk)
    answers = services.answers_for(user, order.department_id)
    if request.method == "POST" and not answers:
        raise PermissionDenied(
            _("Only %(department)s answers this.") % {"department": order.department.name}
        )
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_order(user, order, reply=form.cleaned_data["reply"])
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("powers:order", pk=pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Answer sent to %(street)s.") % {"street": order.street})
            return redirect("powers:order", pk=pk)
    return render(
        request,
        "powers/order.html",
        {
            "order": order,
            "events": list(timeline(order)),
            "form": form if answers and not order.answered_at else None,
            "now": timezone.now(),
        },
    )
