from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def page(request):
    # One row besides the session and the user (not ContentType's cache: a real query).
    row = ContentType.objects.order_by("pk").first()
    return render(request, "page.html", {"row": row})


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [path("", page), path("healthz", healthz)]
