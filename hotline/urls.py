from django.urls import path

from .views import detail, intake, listing, photos, rankings, street, whistle

app_name = "hotline"
urlpatterns = [
    path("", listing.request_list, name="requests"),
    path("new/", intake.request_new, name="request-new"),
    path("suggest/", intake.suggest, name="suggest"),
    path("<int:pk>/", detail.request_detail, name="request"),
    path("<int:pk>/dispatch/", detail.request_dispatch, name="dispatch"),
    path("<int:pk>/accept/", detail.request_accept, name="accept"),
    path("<int:pk>/office/", detail.request_office, name="office"),
    path("<int:pk>/contact/", detail.request_contact, name="contact"),
    path("<int:pk>/reply/", detail.request_reply, name="reply"),
    path("<int:pk>/return/", detail.request_return, name="return"),
    path("<int:pk>/callback/", detail.request_callback, name="callback"),
    path("<int:pk>/whistle/", whistle.request_whistle, name="whistle"),
    path("<int:pk>/photos/", photos.request_photo_add, name="photo-add"),
    path("rankings/", rankings.rankings, name="rankings"),
    path("rankings/export/", rankings.rankings_export, name="rankings-export"),
    path("streets/<int:pk>/", street.street_detail, name="street"),
]
