from django.urls import path

from . import views

app_name = "hotline"
urlpatterns = [
    path("", views.request_list, name="requests"),
    path("new/", views.request_new, name="request-new"),
    path("suggest/", views.suggest, name="suggest"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("<int:pk>/dispatch/", views.request_dispatch, name="dispatch"),
    path("<int:pk>/accept/", views.request_accept, name="accept"),
    path("<int:pk>/contact/", views.request_contact, name="contact"),
    path("<int:pk>/reply/", views.request_reply, name="reply"),
    path("<int:pk>/return/", views.request_return, name="return"),
    path("<int:pk>/callback/", views.request_callback, name="callback"),
    path("<int:pk>/whistle/", views.request_whistle, name="whistle"),
    path("<int:pk>/photos/", views.request_photo_add, name="photo-add"),
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/export/", views.rankings_export, name="rankings-export"),
    path("streets/<int:pk>/", views.street_detail, name="street"),
]
