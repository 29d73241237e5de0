from django.contrib.auth.views import LoginView
from django.urls import reverse


class SignInView(LoginView):
    """Django's sign-in page; a signed-in person is sent on, and a `next` that points back to
    the sign-in page itself goes home instead of looping (which Django answers with a 500)."""

    redirect_authenticated_user = True

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return "" if url.split("?")[0] == reverse("login") else url
