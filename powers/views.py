from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render


@login_required
def index(request):
    return render(request, "powers/index.html", {})


def _todo(request, pk=None):
    raise Http404


grants = grant_revoke = station = orders = order = matters = matter_new = matter = _todo
opinion_answer = agency = recommendations = recommendation = officers = officer = _todo
officer_assess = _todo
