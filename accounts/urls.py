from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.org_index, name="index"),
    path("districts/<int:pk>/", views.district_detail, name="district"),
    path("streets/<int:pk>/", views.street_detail, name="street"),
    path("departments/<int:pk>/", views.department_detail, name="department"),
]
