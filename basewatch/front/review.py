"""Review: the queue, decisions on claims, and each claim's page with its history.

Reviewers see submitted work oldest first and publish or reject it; editors see
their own drafts and rejected work with the reviewer's reason. A decision names
the version it was taken on, so nobody publishes text they have not seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from basewatch.core import workflow
from basewatch.core.models import Movement, Observation, Site
from basewatch.core.roles import EDITOR, VIEWER, can_review
from basewatch.core.workflow import State
from basewatch.front.access import role_required
from basewatch.front.history import history_of

CLAIM_MODELS = {"observation": Observation, "movement": Movement}
CLAIM_RELATED = {
    Observation: ("site", "asset_type", "asset", "entered_by", "reviewed_by"),
    Movement: ("origin", "destination", "asset_type", "asset", "entered_by", "reviewed_by"),
}


@dataclass(frozen=True)
class Decision:
    state: State
    allowed_from: tuple[State, ...]
    needs_reason: bool
    done: str


DECISIONS = {
    "submit": Decision(State.SUBMITTED, (State.DRAFT, State.REJECTED), False, "submitted for review"),
    "publish": Decision(State.PUBLISHED, (State.SUBMITTED,), False, "published"),
    "reject": Decision(State.REJECTED, workflow.REJECTABLE, True, "rejected"),
    "retract": Decision(State.RETRACTED, workflow.RETRACTABLE, True, "retracted"),
}


def _claim_model(kind: str):
    if kind not in CLAIM_MODELS:
        raise Http404("No such kind of claim.")
    return CLAIM_MODELS[kind]


def _claims(model):
    return model.objects.select_related(*CLAIM_RELATED[model]).prefetch_related("sources")


def decisions_for(user, claim) -> list[str]:
    """The decisions `user` may take on the claim in its current state."""
    return [
        name
        for name, decision in DECISIONS.items()
        if claim.state in decision.allowed_from and workflow.may_set_state(user, decision.state, claim.entered_by_id)
    ]


@role_required(EDITOR)
def queue(request):
    """Reviewers: submitted work, oldest first. Everyone: their own drafts and rejected work."""
    waiting = []
    if can_review(request.user):
        for model in CLAIM_MODELS.values():
            waiting += _claims(model).filter(state=State.SUBMITTED)
        waiting.sort(key=lambda claim: claim.updated)
    mine = []
    for model in CLAIM_MODELS.values():
        mine += _claims(model).filter(entered_by=request.user, state__in=[State.DRAFT, State.REJECTED])
    mine.sort(key=lambda claim: claim.updated, reverse=True)
    context = {
        "waiting": [(claim, decisions_for(request.user, claim)) for claim in waiting],
        "mine": [(claim, decisions_for(request.user, claim)) for claim in mine],
    }
    return render(request, "front/review.html", context)


@require_POST
@role_required(EDITOR)
def decide(request, kind: str, pk: int):
    model = _claim_model(kind)
    decision = DECISIONS.get(request.POST.get("decision", ""))
    if decision is None:
        return HttpResponseBadRequest("decision: choose one of submit, publish, reject or retract.")
    reason = request.POST.get("reason", "").strip()
    with transaction.atomic():
        claim = get_object_or_404(model.objects.select_for_update(), pk=pk)
        if not workflow.may_set_state(request.user, decision.state, claim.entered_by_id):
            raise PermissionDenied
        if claim.state not in decision.allowed_from:
            problem = f"A {claim.get_state_display().lower()} item cannot be {decision.done}."
        elif request.POST.get("version") != str(claim.version):
            problem = "It changed since you opened the page: look at it again before deciding."
        elif decision.needs_reason and not reason:
            problem = "reason: say why, for the editor and the record."
        else:
            problem = None
            claim.state = decision.state
            # The reason belongs to this decision; an earlier rejection's stays in the history.
            claim.state_reason = reason
            workflow.stamp_review(claim, request.user)
            claim.save()
    if problem is not None:
        messages.error(request, problem)
        return claim_page(request, kind, pk, status=400)
    messages.success(request, f"{claim} — {decision.done}.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("front:" + kind, pk=claim.pk)


@role_required(VIEWER)
def claim_page(request, kind: str, pk: int, status: int = 200):
    """One observation or movement in any state: details, sources, decisions, history."""
    model = _claim_model(kind)
    claim = get_object_or_404(_claims(model), pk=pk)
    context = {
        "claim": claim,
        "kind": kind,
        "decisions": decisions_for(request.user, claim),
        "may_edit": workflow.may_change(request.user, claim),
        "history": history_of(claim),
    }
    return render(request, "front/claim.html", context, status=status)


@role_required(VIEWER)
def site_history(request, slug: str):
    site = get_object_or_404(Site, slug=slug)
    return render(request, "front/site_history.html", {"site": site, "history": history_of(site)})
