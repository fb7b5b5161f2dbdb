"""Editor pages: enter and change sourced claims and the catalogue behind them.

Nothing an editor saves overwrites someone else's work unseen: each form carries
the edit token of the item as it was opened (a claim's version, otherwise its
last-change time). The stored row is locked and compared before writing; when
it changed in between, nothing is saved and the page shows both versions, with
the editor's input kept, so they can merge and save again knowingly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from basewatch.core import workflow
from basewatch.core.duplicates import DuplicateObservation, refuse_duplicate_observation
from basewatch.core.fields import allow_map_widget_scripts
from basewatch.core.models import Asset, AssetType, Movement, Observation, Site, Source
from basewatch.core.roles import EDITOR
from basewatch.core.workflow import State
from basewatch.front.access import role_required
from basewatch.front.forms import (
    AssetForm,
    AssetTypeForm,
    MovementForm,
    NewSourceFormSet,
    ObservationForm,
    SiteForm,
    SourceForm,
    edit_token,
)
from basewatch.front.templatetags.claims import page_url


@dataclass
class Difference:
    label: str
    stored: str
    yours: str


def _display(field: forms.Field, value) -> str:
    if value in (None, "", [], ()):
        return "—"
    if isinstance(value, GEOSGeometry):
        return value.wkt if len(value.wkt) <= 120 else f"{value.geom_type} with {value.num_coords} points"
    if isinstance(value, (list, tuple)) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return "; ".join(str(item) for item in items) or "—"
    choices = dict(getattr(field, "choices", None) or [])
    return str(choices.get(value, value))


def _conflict(form: forms.ModelForm, new_sources=None) -> list[Difference] | None:
    """Lock the stored row; if it changed since the form was opened, what differs. Call in a transaction."""
    item = form.instance
    if item.pk is None:
        return None
    stored = type(item).objects.select_for_update().get(pk=item.pk)
    if edit_token(stored) == form.cleaned_data["edited_token"]:
        return None
    differences = []
    for name, field in form.fields.items():
        if name == "edited_token":
            continue
        theirs = getattr(stored, name)
        theirs = list(theirs.all()) if hasattr(theirs, "all") else theirs
        yours = form.cleaned_data.get(name)
        if name == "sources" and new_sources is not None:
            yours = [*yours, *(f"{source.cleaned_data['title']} (new)" for source in _typed(new_sources))]
        stored_text, your_text = _display(field, theirs), _display(field, yours)
        if stored_text != your_text:
            differences.append(Difference(str(field.label), stored_text, your_text))
    # Saving again from the re-shown form replaces the version now stored, knowingly.
    form.data = form.data.copy()
    form.data["edited_token"] = edit_token(stored)
    return differences


def _typed(new_sources) -> list:
    return [source for source in new_sources if source.has_changed()]


def _status(request, differences) -> int:
    """A form shown again after a POST was not saved: a conflict (409) or bad input (400)."""
    if request.method != "POST":
        return 200
    return 409 if differences is not None else 400


def _save_unless_changed(request, form, save, new_sources=None):
    """In one transaction, check the stored row has not changed since the form was opened, then `save()`.

    Returns (saved item, None), or (None, differences) on a conflict, or (None, None)
    when a concurrent save took a unique value (reported on the form, not as a 500).
    """
    try:
        with transaction.atomic():
            differences = _conflict(form, new_sources)
            if differences is None:
                return save(), None
    except IntegrityError:
        form.add_error(None, "Another save took one of these values at the same moment. Check and save again.")
        return None, None
    except DuplicateObservation as duplicate:
        form.add_error(None, duplicate.message)
        return None, None
    messages.error(
        request,
        "Someone else saved this item while you were editing it. Nothing of yours was saved: "
        "compare the two versions below, adjust the form and save again to replace theirs.",
    )
    return None, differences


# --- claims: observations and movements ---------------------------------------------

SAVE_STATES = {"draft": State.DRAFT, "submit": State.SUBMITTED, "publish": State.PUBLISHED}


def _save_actions(user, claim) -> dict[str, str]:
    """The buttons an editor gets for this claim: value → label."""
    author_id = claim.entered_by_id if claim.pk else user.pk
    if claim.state == State.PUBLISHED:
        return {"publish": "Save (stays published)"}
    actions = {"draft": "Save draft", "submit": "Submit for review"}
    if workflow.may_publish(user, author_id):
        actions["publish"] = "Publish"
    return actions


def _edit_claim(request, form_class, claim, template: str):
    if claim.pk and not workflow.may_change(request.user, claim):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    # A link from a site page opens the form with that site chosen.
    initial = {name: request.GET[name] for name in ("site", "origin") if name in request.GET}
    form = form_class(data, instance=claim, initial=initial)
    new_sources = NewSourceFormSet(data, prefix="new_source")
    actions = _save_actions(request.user, claim)
    differences = None
    if data is not None:
        action = data.get("action")
        valid = form.is_valid() & new_sources.is_valid()  # both, so every error shows at once
        if action not in actions:
            form.add_error(None, "Choose one of the save buttons.")
        elif valid and not form.cleaned_data["sources"] and not _typed(new_sources):
            form.add_error("sources", "Give at least one source: pick one on file or add a new one.")
        elif valid:
            state = SAVE_STATES[action]
            saved, differences = _save_unless_changed(
                request, form, lambda: _save_claim(request, form, new_sources, state), new_sources
            )
            if saved is not None:
                messages.success(request, f"Saved: {saved} ({saved.get_state_display().lower()}).")
                return redirect(page_url(saved))
    context = {
        "form": form,
        "new_sources": new_sources,
        "claim": claim,
        "actions": actions,
        "differences": differences,
        "last_count": _last_count_text(form) if isinstance(claim, Observation) else None,
        "noun": claim._meta.verbose_name,
    }
    return render(request, template, context, status=_status(request, differences))


def _save_claim(request, form, new_sources, state: str):
    claim = form.save(commit=False)
    creating = claim.pk is None
    if creating:
        claim.entered_by = request.user
    if claim.state != state:
        claim.state = state
        claim.state_reason = ""  # a rejection's reason stays in the history
        workflow.stamp_review(claim, request.user)
    if creating and isinstance(claim, Observation):
        # Before the new sources are looked up, so a twin save waiting here finds them.
        refuse_duplicate_observation(claim, list(form.cleaned_data["sources"]))
    reused = []
    sources = list(form.cleaned_data["sources"])
    for source_form in _typed(new_sources):
        existing = source_form.existing()
        if existing is not None:
            reused.append(existing)
        sources.append(existing or source_form.save())
    if creating and isinstance(claim, Observation) and reused:
        refuse_duplicate_observation(claim, reused)
    claim.save()
    claim.sources.set(sources)
    for source in reused:
        messages.info(request, f"That URL was already on file: used the existing source “{source}”.")
    return claim


@role_required(EDITOR)
def observation_create(request):
    return _edit_claim(request, ObservationForm, Observation(), "front/observation_form.html")


@role_required(EDITOR)
def observation_edit(request, pk: int):
    observation = get_object_or_404(Observation, pk=pk)
    return _edit_claim(request, ObservationForm, observation, "front/observation_form.html")


@role_required(EDITOR)
def movement_create(request):
    return _edit_claim(request, MovementForm, Movement(), "front/movement_form.html")


@role_required(EDITOR)
def movement_edit(request, pk: int):
    movement = get_object_or_404(Movement, pk=pk)
    return _edit_claim(request, MovementForm, movement, "front/movement_form.html")


def _last_count_text(form) -> str:
    site, asset_type = (form[name].value() for name in ("site", "asset_type"))
    return last_count_text(site, asset_type)


def last_count_text(site_id, asset_type_id) -> str:
    """The site's newest published count of the asset type, as an editor's hint."""
    if not (str(site_id or "").isdigit() and str(asset_type_id or "").isdigit()):
        return ""
    latest = (
        Observation.objects.published()
        .filter(site_id=site_id, asset_type_id=asset_type_id)
        .with_counted()
        .order_by("-observed", "-id")
        .first()
    )
    if latest is None:
        return "No published observation of this type at this site yet."
    count = "presence only" if latest.counted is None else latest.counted
    return f"Last published: {count} on {latest.observed} ({latest.get_activity_display().lower()})."


@role_required(EDITOR)
def last_count(request):
    """The hint for the site and asset type picked in the observation form."""
    return JsonResponse({"text": last_count_text(request.GET.get("site"), request.GET.get("asset_type"))})


# --- the catalogue: sites, sources, asset types, assets -------------------------------


def _edit_item(request, form_class, item, done_url):
    noun = item._meta.verbose_name
    form = form_class(request.POST or None, instance=item)
    allow_map_widget_scripts(form, request.csp_nonce)
    differences = None
    if request.method == "POST" and form.is_valid():
        saved, differences = _save_unless_changed(request, form, form.save)
        if saved is not None:
            messages.success(request, f"Saved {noun} “{saved}”.")
            return redirect(done_url(saved))
    context = {"form": form, "item": item, "noun": noun, "differences": differences}
    return render(request, "front/item_form.html", context, status=_status(request, differences))


@role_required(EDITOR)
def site_create(request):
    return _edit_item(request, SiteForm, Site(), done_url=Site.get_absolute_url)


@role_required(EDITOR)
def site_edit(request, slug: str):
    site = get_object_or_404(Site, slug=slug)
    return _edit_item(request, SiteForm, site, done_url=Site.get_absolute_url)


def _source_done(source: Source) -> str:
    return reverse("front:source-edit", args=[source.pk])


@role_required(EDITOR)
def source_create(request):
    return _edit_item(request, SourceForm, Source(), done_url=_source_done)


@role_required(EDITOR)
def source_edit(request, pk: int):
    source = get_object_or_404(Source, pk=pk)
    return _edit_item(request, SourceForm, source, done_url=_source_done)


def _asset_type_done(asset_type: AssetType) -> str:
    return reverse("front:asset-type-edit", args=[asset_type.slug])


@role_required(EDITOR)
def asset_type_create(request):
    return _edit_item(request, AssetTypeForm, AssetType(), done_url=_asset_type_done)


@role_required(EDITOR)
def asset_type_edit(request, slug: str):
    asset_type = get_object_or_404(AssetType, slug=slug)
    return _edit_item(request, AssetTypeForm, asset_type, done_url=_asset_type_done)


def _asset_done(asset: Asset) -> str:
    return reverse("front:asset-edit", args=[asset.pk])


@role_required(EDITOR)
def asset_create(request):
    return _edit_item(request, AssetForm, Asset(), done_url=_asset_done)


@role_required(EDITOR)
def asset_edit(request, pk: int):
    asset = get_object_or_404(Asset, pk=pk)
    return _edit_item(request, AssetForm, asset, done_url=_asset_done)
