from django.urls import path

from . import views, views_duties

app_name = "dispatch"
urlpatterns = [
    path("whistles/", views.whistle_list, name="whistles"),
    path("whistles/new/", views.whistle_new, name="whistle-new"),
    path("whistles/<int:pk>/", views.whistle_detail, name="whistle"),
    path("whistles/<int:pk>/live/", views.whistle_live, name="whistle-live"),
    path("whistles/<int:pk>/summon/", views.whistle_summon, name="whistle-summon"),
    path("whistles/<int:pk>/resolve/", views.whistle_resolve, name="whistle-resolve"),
    path("whistles/<int:pk>/cancel/", views.whistle_cancel, name="whistle-cancel"),
    path("whistles/<int:pk>/close/", views.whistle_close, name="whistle-close"),
    path("whistles/<int:pk>/office/", views.whistle_office, name="whistle-office"),
    path("duty-figures/", views_duties.duty_figures, name="duty-figures"),
    path("queue/", views.queue, name="queue"),
    path("queue/items/", views.queue_items, name="queue-items"),
    path("check-ins/<int:pk>/", views.check_in_page, name="check-in"),
    path(
        "check-ins/<int:pk>/acknowledge/", views.check_in_acknowledge, name="check-in-acknowledge"
    ),
    path("check-ins/<int:pk>/leave/", views.check_in_leave, name="check-in-leave"),
]
