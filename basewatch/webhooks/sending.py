"""One try at a delivery: sign, POST, record the attempt; and when to try again.

The request goes through basewatch.lib.safehttp: the receiver's host is resolved once
and must be a public address (unless settings.OUTGOING_ALLOWED_HOSTS lists it), no
redirect is followed (a 3xx is a failure: the receiver should give its final URL), and
the whole exchange has settings.WEBHOOK_TIMEOUT seconds. Any 2xx answer is a delivery.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from basewatch.lib import safehttp
from basewatch.webhooks.models import Attempt, Delivery
from basewatch.webhooks.signing import signed_headers

RESPONSE_KEPT = 1000  # characters of the receiver's answer kept in the log


def retry_delay(attempts_made: int) -> int | None:
    """Seconds to wait before the next try after `attempts_made` failed ones in a row; None: give up.

    settings.WEBHOOK_RETRY_SCHEDULE, by default the Standard Webhooks schedule: 5 s, 5 min,
    30 min, 2 h, 5 h, 10 h, 10 h, so a receiver may be down for more than a day and lose nothing.
    """
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    return schedule[attempts_made - 1] if 0 < attempts_made <= len(schedule) else None


def _headers(delivery: Delivery) -> dict[str, str]:
    return {
        **signed_headers(delivery.endpoint.secret, delivery.message_id, int(time.time()), delivery.body),
        "Content-Type": "application/json",
        "User-Agent": settings.OUTGOING_USER_AGENT,
    }


def _outcome(answer: safehttp.Answer) -> tuple[bool, str]:
    if 200 <= answer.status < 300:
        return True, ""
    if 300 <= answer.status < 400:
        return False, f"HTTP {answer.status}: redirects are not followed; register the final URL."
    return False, f"HTTP {answer.status}"


def attempt(delivery: Delivery, tries_in_a_row: int) -> Attempt:
    """POST the delivery once and log it; `tries_in_a_row` counts this one (it sets the next try's time)."""
    started = timezone.now()
    try:
        answer = safehttp.request(
            "POST",
            delivery.endpoint.url,
            body=delivery.body.encode(),
            headers=_headers(delivery),
            timeout=settings.WEBHOOK_TIMEOUT,
            max_bytes=RESPONSE_KEPT * 4,
            allowed_hosts=settings.OUTGOING_ALLOWED_HOSTS,
        )
    except safehttp.Refused as refused:
        ok, error, status, seconds, response = False, f"{refused.reason}: {refused.message}", None, None, ""
    else:
        ok, error = _outcome(answer)
        status, seconds = answer.status, answer.seconds
        response = answer.body.decode("utf-8", "replace")[:RESPONSE_KEPT]
    delay = None if ok else retry_delay(tries_in_a_row)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.attempts += 1
        logged = Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            at=started,
            seconds=seconds,
            status_code=status,
            ok=ok,
            error=error[:500],
            response=response,
        )
        if ok:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
                Delivery.State.DELIVERED,
                timezone.now(),
                None,
            )
        elif delay is None:
            delivery.state, delivery.next_attempt_at = Delivery.State.FAILED, None
        else:
            delivery.next_attempt_at = timezone.now() + dt.timedelta(seconds=delay)
        delivery.save(update_fields=["attempts", "state", "delivered_at", "next_attempt_at"])
    return logged
