"""Review: the queue, decisions on claims, and each claim's page with its history.

Reviewers see submitted work oldest first and publish or reject it; editors see their
own drafts and rejected work with the reviewer's reason. A decision names the version
it was taken on, so nobody publishes text they have not seen. Who may decide what is
basewatch.core.workflow's; basewatch.core.claims takes the decision.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from basewatch.core import claims
from basewatch.core.models import EvidenceImage, ImportReport, Movement, Observation, Site
from basewatch.core.posture import entry_text, published_entries
from basewatch.core.roles import EDITOR, VIEWER, can_review, can_view_unpublished
from basewatch.core.versions import StaleVersion, VersionRequired, parse_version
from basewatch.core.workflow import Action, State
from basewatch.front.access import role_required
from basewatch.front.history import history_of
from basewatch.front.images import gallery

CLAIM_MODELS = {"observation": Observation, "movement": Movement}
DONE = {
    Action.SUBMIT: "submitted for review",
    Action.WITHDRAW: "withdrawn from review",
    Action.PUBLISH: "published",
    Action.REJECT: "rejected",
    Action.RETRACT: "retracted",
}


def _claim_model(kind: str):
    if kind not in CLAIM_MODELS:
        raise Http404("No such kind of claim.")
    return CLAIM_MODELS[kind]


def _claims(model):
    return model.objects.with_details()


def _with_decisions(user, rows) -> list:
    return [(claim, claims.actions_for(user, claim)) for claim in rows]


def _beside_published(rows) -> dict:
    """For each observation among `rows` not yet published (keyed by the claim: a movement may
    have the same id), what the published posture said on its day of its site, asset type and
    presence: {"text": core.posture.entry_text, or None where nothing was}. Shown to whoever
    decides, beside the claim."""
    waiting = [claim for claim in rows if isinstance(claim, Observation) and claim.state != State.PUBLISHED]
    entries = published_entries(waiting) if waiting else {}
    return {claim: {"text": entry_text(entries[claim.pk]) if claim.pk in entries else None} for claim in waiting}


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
    beside = _beside_published(waiting)
    waiting = [(claim, decisions, beside.get(claim)) for claim, decisions in _with_decisions(request.user, waiting)]
    context = {"waiting": waiting, "mine": _with_decisions(request.user, mine)}
    # Spreadsheet imports (front.claim_imports): their reports stay, with the drafts they made.
    context["imports"] = ImportReport.objects.filter(entered_by=request.user).defer("rows", "results")[:5]
    return render(request, "front/review.html", context)


@require_POST
@role_required(EDITOR)
def decide(request, kind: str, pk: int):
    model = _claim_model(kind)
    try:
        action = Action(request.POST.get("decision", ""))
    except ValueError:
        return HttpResponseBadRequest(f"decision: choose one of {', '.join(Action.values)}.")
    claim = get_object_or_404(model, pk=pk)
    read = parse_version(request.POST.get("version", ""))
    # Where the reviewer came from (the queue, the claim's page): where the decision leads back,
    # also from the page that says why one was refused (its own address takes POSTs only).
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    try:
        claims.decide(claim, request.user, action, read_version=read, reason=request.POST.get("reason", ""))
    except (StaleVersion, VersionRequired):
        problem, status = "It changed since you opened the page: look at it again before deciding.", 409
    except claims.ClaimRefused as refused:
        # Core's own words (who may, what is missing); 403 when the role may not.
        problem = " ".join(refused.errors.values())
        status = 403 if isinstance(refused, claims.NotAllowed) else 400
    else:
        messages.success(request, f"{claim} — {DONE[action]}.")
        return redirect(back) if back else redirect("front:" + kind, pk=claim.pk)
    messages.error(request, problem)
    return claim_page(request, kind, pk, status=status, decision_next=back or reverse("front:" + kind, args=[claim.pk]))


@never_cache
def claim_page(request, kind: str, pk: int, status: int = 200, decision_next: str = ""):
    """One observation or movement: anyone may read a published one; viewers and up see it in any
    state, with its decisions and history. `decision_next`: where its decisions lead back to, if not here."""
    model = _claim_model(kind)
    claim = get_object_or_404(_claims(model).prefetch_related("sources__captures"), pk=pk)
    insider = can_view_unpublished(request.user)
    if claim.state != State.PUBLISHED and not insider:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    context = {
        "claim": claim,
        "kind": kind,
        "insider": insider,
        "decisions": claims.actions_for(request.user, claim) if insider else [],
        "may_edit": insider and claims.may_change(request.user, claim),
        "history": history_of(claim) if insider else None,
        "beside": _beside_published([claim]).get(claim) if insider else None,
        "legs": _legs(claim, insider) if kind == "movement" else [],
        "gallery": gallery(_images(request.user, claim)),
        # Each source with its archived captures (thumbnails, hashes, downloads).
        "capture_states": True,
        "show_captures": True,
        "decision_next": decision_next,
    }
    if kind == "observation" and context["may_edit"]:
        context["add_image_url"] = reverse("front:image-add", args=["observation", claim.pk])
        context["may_edit_images"] = True
    return render(request, "front/claim.html", context, status=status)


def _images(user, claim):
    """The claim's own images and its sources' (the claim's visibility already checked)."""
    sources = Q(source__in=[source.pk for source in claim.sources.all()])
    mine = Q(observation=claim) if isinstance(claim, Observation) else Q(pk__in=[])
    return EvidenceImage.objects.visible_to(user).filter(mine | sources).order_by("captured", "pk")


def _legs(movement: Movement, insider: bool) -> list[Movement]:
    """The legs of the movement's transfer the reader may see, in order."""
    legs = movement.transfer_legs().select_related("origin", "destination")
    return list(legs if insider else legs.published())


@role_required(VIEWER)
def site_history(request, slug: str):
    site = get_object_or_404(Site, slug=slug)
    return render(request, "front/site_history.html", {"site": site, "history": history_of(site)})
