"""Logging in, with repeated failures slowed down (basewatch.core.throttling)."""

from __future__ import annotations

from django.contrib.auth.views import LoginView

from basewatch.core import throttling


class ThrottledLoginView(LoginView):
    """After five failed logins for a user name or five failures from an address within
    fifteen minutes, further attempts are refused (429) until the window has passed."""

    def post(self, request, *args, **kwargs):
        self.username = request.POST.get("username", "")[:150]
        self.address = throttling.client_address(request)
        if throttling.is_throttled(self.username, self.address):
            # An unbound form: a bound one would check the password (a quarter second of
            # hashing) on every refused attempt.
            form = self.get_form_class()(request, initial={"username": self.username})
            refused = "Too many failed attempts. Wait 15 minutes and try again."
            response = self.render_to_response(self.get_context_data(form=form, refused=refused))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttling.record_failure(self.username, self.address)
        return super().form_invalid(form)

    def form_valid(self, form):
        throttling.forget_failures(self.username)
        return super().form_valid(form)
