"""Logging in, with repeated failures slowed down."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.views import LoginView

from basewatch.core.models import LoginFailure

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)


class ThrottledLoginView(LoginView):
    """After five failed logins for a user name or from an address within fifteen
    minutes, further attempts are refused (429) until the window has passed."""

    def post(self, request, *args, **kwargs):
        self.username = request.POST.get("username", "")[:150]
        self.address = request.META.get("REMOTE_ADDR") or None
        if LoginFailure.objects.recent(self.username, self.address, WINDOW).count() >= MAX_FAILURES:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, "Too many failed attempts. Wait 15 minutes and try again.")
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        LoginFailure.objects.create(username=self.username, address=self.address)
        return super().form_invalid(form)

    def form_valid(self, form):
        LoginFailure.objects.filter(username=self.username).delete()
        return super().form_valid(form)
