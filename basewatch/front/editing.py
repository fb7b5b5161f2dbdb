"""Editor pages: enter and change sourced claims and the catalogue behind them.

The pages translate forms into calls of basewatch.core (claims.write_claim for claims,
versions.save_if_current for the catalogue) and core's refusals into field errors.
Nothing an editor saves overwrites someone else's work unseen: each form carries the
version of the item it was opened on; when the stored item moved on, nothing is saved
and the page shows both versions, with the editor's input kept, so they can merge and
save again knowingly (409).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from basewatch.core import claims, sites
from basewatch.core.duplicates import DuplicateObservation
from basewatch.core.fields import allow_map_widget_scripts
from basewatch.core.models import Asset, AssetType, Movement, Observation, PostureSpan, PostureStatus, Site, Source
from basewatch.core.roles import EDITOR
from basewatch.core.versions import StaleVersion, VersionRequired, save_if_current
from basewatch.core.workflow import Action, State
from basewatch.front.access import role_required
from basewatch.front.forms import (
    AssetForm,
    AssetTypeForm,
    MovementForm,
    NewSourceFormSet,
    ObservationForm,
    SiteForm,
    SourceForm,
)
from basewatch.front.images import gallery
from basewatch.front.templatetags.claims import page_url
from basewatch.lib.tiles import map_tiles

CONFLICT = (
    "Someone else saved this item while you were editing it. Nothing of yours was saved: "
    "compare the two versions below, adjust the form and save again to replace theirs."
)


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


def _differences(form: forms.ModelForm, stored, typed_sources=()) -> list[Difference]:
    """What differs between the stored item and the form; the form will now replace that version."""
    differences = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        theirs = getattr(stored, name)
        theirs = list(theirs.all()) if hasattr(theirs, "all") else theirs
        yours = form.cleaned_data.get(name)
        if name == "sources":
            yours = [*yours, *(f"{source.title} (new)" for source in typed_sources)]
        stored_text, your_text = _display(field, theirs), _display(field, yours)
        if stored_text != your_text:
            differences.append(Difference(str(field.label), stored_text, your_text))
    # Saving again from the re-shown form replaces the version now stored, knowingly.
    form.data = form.data.copy()
    form.data["version"] = stored.version
    return differences


def _status(request, differences) -> int:
    """A form shown again after a POST was not saved: a conflict (409) or bad input (400)."""
    if request.method != "POST":
        return 200
    return 409 if differences is not None else 400


def _refused(form, error: Exception) -> None:
    """Put what core refused on the form, next to the field at fault."""
    if isinstance(error, claims.ClaimRefused):
        for name, message in error.errors.items():
            form.add_error(name if name in form.fields else None, message)
    elif isinstance(error, DuplicateObservation):
        form.add_error(None, error.message)
    elif isinstance(error, VersionRequired):
        form.add_error(None, "This form is missing the version it was opened on: open the item again.")
    elif isinstance(error, IntegrityError):
        form.add_error(None, "Another save took one of these values at the same moment. Check and save again.")


# --- claims: observations and movements ---------------------------------------------

# The save buttons: "save" keeps the claim's state; the others also take that action.
SAVE_LABELS = {
    None: {"save": "Save draft", Action.SUBMIT: "Submit for review", Action.PUBLISH: "Publish"},
    State.DRAFT: {
        "save": "Save draft",
        Action.SUBMIT: "Save and submit for review",
        Action.PUBLISH: "Save and publish",
    },
    State.SUBMITTED: {
        "save": "Save (stays in review)",
        Action.WITHDRAW: "Save and withdraw from review",
        Action.PUBLISH: "Save and publish",
    },
    State.REJECTED: {"save": "Save (stays rejected)", Action.SUBMIT: "Save and submit again"},
    State.PUBLISHED: {"save": "Save (stays published)"},
}


def _save_buttons(user, claim) -> dict[str, str]:
    """The buttons an editor gets for this claim: value → label, those core allows them."""
    labels = SAVE_LABELS[claim.state if claim.pk else None]
    allowed = {"save", *claims.actions_for(user, claim)}
    return {str(value): label for value, label in labels.items() if value in allowed}


def _edit_claim(request, form_class, claim, template: str):
    if claim.pk and not claims.may_change(request.user, claim):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    # A link from a site page opens the form with that site chosen.
    initial = {name: request.GET[name] for name in ("site", "origin") if name in request.GET}
    form = form_class(data, instance=claim, initial=initial)
    new_sources = NewSourceFormSet(data, prefix="new_source")
    buttons = _save_buttons(request.user, claim)
    differences, refused_role = None, False
    if data is not None:
        button = data.get("action")
        valid = form.is_valid() & new_sources.is_valid()  # both, so every error shows at once
        # Any button the page may have shown: the claim may have moved on since it was opened,
        # and core refuses what is no longer allowed, after telling a conflict.
        if button not in ("save", *Action.values):
            form.add_error(None, "Choose one of the save buttons.")
        elif valid:
            typed = [source_form.save(commit=False) for source_form in new_sources if source_form.has_changed()]
            try:
                written = claims.write_claim(
                    form.save(commit=False),
                    request.user,
                    read_version=form.cleaned_data["version"],
                    sources=form.cleaned_data["sources"],
                    new_sources=typed,
                    action=None if button == "save" else button,
                )
            except StaleVersion as stale:
                messages.error(request, CONFLICT)
                differences = _differences(form, stale.current, typed)
            except (claims.ClaimRefused, DuplicateObservation, VersionRequired, IntegrityError) as error:
                _refused(form, error)
                refused_role = isinstance(error, claims.NotAllowed)
            else:
                for source in written.reused_sources:
                    messages.info(request, f"That URL was already on file: used the existing source “{source}”.")
                saved = written.claim
                messages.success(request, f"Saved: {saved} ({saved.get_state_display().lower()}).")
                return redirect(page_url(saved))
    context = {
        "form": form,
        "new_sources": new_sources,
        "claim": claim,
        "actions": buttons,
        "differences": differences,
        "last_count": _last_count_text(form) if isinstance(claim, Observation) else None,
        "noun": claim._meta.verbose_name,
    }
    # Everything typed stays in the form, also when the role may not do what was asked (403).
    return render(request, template, context, status=403 if refused_role else _status(request, differences))


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
    """The site's newest published posture of the asset type, as an editor's hint."""
    if not (str(site_id or "").isdigit() and str(asset_type_id or "").isdigit()):
        return ""
    points = PostureSpan.objects.filter(site_id=site_id, asset_type_id=asset_type_id)
    latest = points.order_by("-observed", "-observation_id").first()
    if latest is None:
        return "No published observation of this type at this site yet."
    count = latest.counted if latest.status == PostureStatus.COUNTED else latest.get_status_display()
    return f"Last published: {count} on {latest.observed} ({latest.get_activity_display().lower()}, {latest.presence})."


@role_required(EDITOR)
def last_count(request):
    """The hint for the site and asset type picked in the observation form."""
    return JsonResponse({"text": last_count_text(request.GET.get("site"), request.GET.get("asset_type"))})


# --- the catalogue: sites, sources, asset types, assets -------------------------------


def _save_form(form, user):
    return save_if_current(form.instance, form.cleaned_data["version"], save=form.save)


def _save_site(form, user) -> Site:
    # The one rule for sites (core.sites): the form has checked the fields, core decides.
    return sites.write_site(form.instance, user, read_version=form.cleaned_data["version"])


def _edit_item(request, form_class, item, done_url, extra: dict | None = None, save=_save_form):
    noun = item._meta.verbose_name
    form = form_class(request.POST or None, instance=item)
    allow_map_widget_scripts(form, request.csp_nonce)
    differences = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form, request.user)
        except StaleVersion as stale:
            messages.error(request, CONFLICT)
            differences = _differences(form, stale.current)
        except ValidationError as error:
            form.add_error(None, error)
        except (VersionRequired, IntegrityError, claims.ClaimRefused) as error:
            _refused(form, error)
        else:
            messages.success(request, f"Saved {noun} “{saved}”.")
            return redirect(done_url(saved))
    context = {
        "form": form, "item": item, "noun": noun, "differences": differences, "tiles": map_tiles(), **(extra or {})
    }  # fmt: skip
    return render(request, "front/item_form.html", context, status=_status(request, differences))


@role_required(EDITOR)
def site_create(request):
    return _edit_item(request, SiteForm, Site(), done_url=Site.get_absolute_url, save=_save_site)


@role_required(EDITOR)
def site_edit(request, slug: str):
    site = get_object_or_404(Site, slug=slug)
    return _edit_item(request, SiteForm, site, done_url=Site.get_absolute_url, save=_save_site)


def _source_done(source: Source) -> str:
    return reverse("front:source-edit", args=[source.pk])


@role_required(EDITOR)
def source_create(request):
    return _edit_item(request, SourceForm, Source(), done_url=_source_done)


@role_required(EDITOR)
def source_edit(request, pk: int):
    source = get_object_or_404(Source, pk=pk)
    # The source's images, and a way to add more (front.images).
    extra = {
        "gallery": gallery(source.images.order_by("captured", "pk")),
        "add_image_url": reverse("front:image-add", args=["source", source.pk]),
        "may_edit_images": True,
    }
    return _edit_item(request, SourceForm, source, done_url=_source_done, extra=extra)


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
