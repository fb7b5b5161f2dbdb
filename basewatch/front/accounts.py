"""Logging in, with repeated failures slowed down (basewatch.core.throttling)."""

from __future__ import annotations

from django.contrib.auth.views import LoginView

from basewatch.core import throttling

NUL = "\x00"


class ThrottledLoginView(LoginView):
    """After five failed logins for a user name or five failures from an address within
    fifteen minutes, further attempts are refused (429) until the window has passed."""

    def post(self, request, *args, **kwargs):
        self.username = request.POST.get("username", "")[:150]
        self.address = throttling.client_address(request)
        if NUL in self.username or NUL in request.POST.get("password", ""):
            # PostgreSQL cannot compare text holding NUL: no user name or password has one.
            return self._refuse("Names and passwords cannot contain NUL characters.", status=400)
        if throttling.is_throttled(self.username, self.address):
            return self._refuse("Too many failed attempts. Wait 15 minutes and try again.", status=429)
        return super().post(request, *args, **kwargs)

    def _refuse(self, why: str, status: int):
        # An unbound form: a bound one would check the password (a quarter second of
        # hashing) on every refused attempt.
        username = self.username.replace(NUL, "")
        form = self.get_form_class()(self.request, initial={"username": username})
        response = self.render_to_response(self.get_context_data(form=form, refused=why))
        response.status_code = status
        return response

    def form_invalid(self, form):
        throttling.record_failure(self.username, self.address)
        return super().form_invalid(form)

    def form_valid(self, form):
        throttling.forget_failures(self.username)
        return super().form_valid(form)
