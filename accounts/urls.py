from django.urls import path

from . import duty_views, views, views_offices

app_name = "org"
urlpatterns = [
    path("", views.org_index, name="index"),
    path("districts/<int:pk>/", views.district_detail, name="district"),
    path("streets/<int:pk>/", views.street_detail, name="street"),
    path("streets/<int:pk>/offices/", views_offices.street_offices, name="offices"),
    path("offices/<int:pk>/", views_offices.office_edit, name="office"),
    path("memberships/<int:pk>/office/", views_offices.membership_office, name="membership-office"),
    path("departments/<int:pk>/", views.department_detail, name="department"),
    path("duties/", duty_views.duty_lists, name="duty-lists"),
    path("duties/import/", duty_views.duty_import, name="duty-import"),
    path("duties/<int:pk>/", duty_views.duty_list_detail, name="duty-list"),
]
