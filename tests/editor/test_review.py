"""The review queue and decisions: submit, publish, reject and retract, by role, with reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from basewatch.core.models import Observation
from basewatch.core.workflow import TRANSITIONS, Action, State
from tests.editor.helpers import client_for
from tests.factories import make_asset_type, make_movement, make_observation, make_site, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_user("editor", "ed")


@pytest.fixture
def submitted(author):
    site, an124 = make_site(slug="khmeimim", name="Khmeimim"), make_asset_type(name="An-124 Ruslan")
    return make_observation(site, an124, dt.date(2024, 12, 13), count=2, state=State.SUBMITTED, entered_by=author)


def decide(client, claim, decision: str, reason: str = "", version: int | None = None, kind: str = "observation"):
    data = {"decision": decision, "reason": reason, "version": claim.version if version is None else version}
    return client.post(reverse("front:decide", args=[kind, claim.pk]), data)


def test_reviewers_see_submitted_work_oldest_first(submitted, author):
    newer = make_observation(submitted.site, submitted.asset_type, dt.date(2024, 12, 14), state=State.SUBMITTED)
    movement = make_movement(submitted.site, make_site(), submitted.asset_type, state=State.SUBMITTED)
    make_observation(submitted.site, submitted.asset_type, dt.date(2024, 12, 15), state=State.DRAFT)
    html = client_for("reviewer").get(reverse("front:review")).content.decode()
    positions = [
        html.index(f'id="{kind}-{claim.pk}"')
        for kind, claim in [("observation", submitted), ("observation", newer), ("movement", movement)]
    ]
    assert positions == sorted(positions)
    assert html.count('<article class="claim" id="observation-') == 2  # drafts are not waiting
    assert "Submitted by ed" in html and 'value="publish"' in html and 'value="reject"' in html
    # The reviewer's decision is offered first, before the withdrawal any editor may make.
    assert html.index('value="publish"') < html.index('value="reject"') < html.index('value="withdraw"')


def test_reviewers_see_what_is_published_beside_each_claim(submitted, author):
    # What the claim would change: the published entry of its site, type and presence on its day.
    site, s400 = submitted.site, make_asset_type(slug="s-400", name="S-400")
    make_observation(site, s400, dt.date(2024, 12, 13), count=4)
    make_observation(site, s400, dt.date(2024, 12, 19), count=9, presence="transient")  # not the claim's presence
    make_observation(site, s400, dt.date(2024, 12, 24), count=1)  # after the claim's day
    claim = make_observation(site, s400, dt.date(2024, 12, 20), count=12, state=State.SUBMITTED, entered_by=author)
    reviewer = client_for("reviewer")
    queue = reviewer.get(reverse("front:review")).content.decode()
    page = reviewer.get(reverse("front:observation", args=[claim.pk])).content.decode()
    for html in (queue, page):
        assert "S-400: 4, last seen 2024-12-13 (7 days earlier) · " in html
        assert "passing through" not in html
        assert 'href="/sites/khmeimim/?as_of=2024-12-20">the site on 2024-12-20</a>' in html
    # The An-124 has nothing published at Khmeimim.
    assert queue.count("Published then") == 2 and "nothing on this type and presence" in queue
    published = make_observation(site, s400, dt.date(2024, 12, 21), count=3)
    assert "Published then" not in reviewer.get(reverse("front:observation", args=[published.pk])).content.decode()


def test_editors_see_their_drafts_and_rejections_with_the_reason(submitted, author):
    draft = make_observation(
        submitted.site, submitted.asset_type, dt.date(2024, 12, 1), state=State.DRAFT, entered_by=author
    )
    rejected = make_observation(
        submitted.site,
        submitted.asset_type,
        dt.date(2024, 12, 2),
        state=State.REJECTED,
        state_reason="The image shows Il-76s, not An-124s.",
        entered_by=author,
    )
    someone_elses = make_observation(submitted.site, submitted.asset_type, dt.date(2024, 12, 3), state=State.DRAFT)
    html = client_for(None, author).get(reverse("front:review")).content.decode()
    assert f'id="mine-observation-{draft.pk}"' in html and f'id="mine-observation-{rejected.pk}"' in html
    assert f"mine-observation-{someone_elses.pk}" not in html
    assert "The image shows Il-76s, not An-124s." in html
    assert "Waiting for review" not in html  # editors do not review


def test_a_reviewer_publishes_and_it_is_public_at_once(submitted):
    reviewer = make_user("reviewer")
    response = decide(client_for(None, reviewer), submitted, "publish")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == State.PUBLISHED and submitted.reviewed_by == reviewer and submitted.reviewed_at
    anonymous = client_for(None)
    assert f"observation-{submitted.pk}" in anonymous.get(reverse("front:site", args=["khmeimim"])).content.decode()
    api = anonymous.get(reverse("api:observation-list")).json()
    assert [row["id"] for row in api["results"]] == [submitted.pk]


def test_publishing_needs_a_reviewer_other_than_the_author(submitted, author, settings):
    reviewer_author = make_user("reviewer")
    own = make_observation(
        submitted.site, submitted.asset_type, dt.date(2024, 12, 1), state=State.SUBMITTED, entered_by=reviewer_author
    )
    assert decide(client_for(None, reviewer_author), own, "publish").status_code == 403
    assert decide(client_for(None, author), submitted, "publish").status_code == 403
    assert decide(client_for("viewer"), submitted, "publish").status_code == 403
    assert decide(client_for(None), submitted, "publish").status_code == 302  # to the login page
    for claim in (own, submitted):
        claim.refresh_from_db()
        assert claim.state == State.SUBMITTED
    settings.EDITORS_MAY_PUBLISH = True
    assert decide(client_for(None, author), submitted, "publish").status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == State.PUBLISHED


def test_rejecting_needs_a_reason(submitted, author):
    reviewer = client_for("reviewer")
    response = decide(reviewer, submitted, "reject", reason="   ")
    assert response.status_code == 400 and "To reject it, say why" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED and submitted.version == 1
    assert decide(client_for(None, author), submitted, "reject", reason="mine").status_code == 403
    assert decide(reviewer, submitted, "reject", reason="Wrong airframe type.").status_code == 302
    submitted.refresh_from_db()
    assert (submitted.state, submitted.state_reason) == (State.REJECTED, "Wrong airframe type.")
    # The editor reworks and resubmits it; the reason goes with the decision it belonged to.
    assert decide(client_for(None, author), submitted, "submit").status_code == 302
    submitted.refresh_from_db()
    assert (submitted.state, submitted.state_reason) == (State.SUBMITTED, "")


def test_a_refused_decision_leads_back_where_the_reviewer_came_from(submitted):
    """The page saying why a decision was refused is the answer to a POST: its forms must not
    send the reviewer back to that address (it takes POSTs only) but to where they came from."""
    reviewer = client_for("reviewer")
    queue, decide_url = reverse("front:review"), reverse("front:decide", args=["observation", submitted.pk])
    data = {"decision": "reject", "reason": "", "version": submitted.version}
    refused = reviewer.post(decide_url, {**data, "next": queue})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert f'name="next" value="{queue}"' in html and f'name="next" value="{decide_url}"' not in html
    done = reviewer.post(decide_url, {**data, "reason": "Wrong airframe type.", "next": queue})
    assert done.status_code == 302 and done["Location"] == queue
    # From another host, or not given: the claim's own page.
    refused = reviewer.post(decide_url, {**data, "decision": "publish", "version": 0, "next": "https://evil.example/"})
    claim_url = reverse("front:observation", args=[submitted.pk])
    html = refused.content.decode()
    assert refused.status_code == 409 and f'name="next" value="{claim_url}"' in html
    assert "evil.example" not in html and f'name="next" value="{decide_url}"' not in html


def test_retraction_keeps_the_row_and_hides_it_from_the_public(submitted):
    submitted.state = State.PUBLISHED
    submitted.save()
    reviewer = client_for("reviewer")
    assert decide(client_for("editor"), submitted, "retract", reason="x").status_code == 403
    assert decide(reviewer, submitted, "retract").status_code == 400
    assert decide(reviewer, submitted, "retract", reason="The source was a fake.").status_code == 302
    retracted = Observation.objects.get(pk=submitted.pk)
    assert (retracted.state, retracted.state_reason) == (State.RETRACTED, "The source was a fake.")
    assert client_for(None).get(reverse("api:observation-list")).json()["results"] == []
    page = client_for("viewer").get(reverse("front:observation", args=[submitted.pk])).content.decode()
    assert "Retracted" in page and "The source was a fake." in page
    assert decide(reviewer, retracted, "publish").status_code == 400  # retracted is final
    assert Observation.objects.get(pk=submitted.pk).state == State.RETRACTED


def test_a_decision_on_a_changed_item_is_refused(submitted):
    reviewer = client_for("reviewer")
    stale = submitted.version
    submitted.count = 20
    submitted.save()
    response = decide(reviewer, submitted, "publish", version=stale)
    assert response.status_code == 409 and "changed since you opened the page" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_unknown_claims_and_decisions(submitted):
    reviewer = client_for("reviewer")
    assert (
        reviewer.post(reverse("front:decide", args=["site", submitted.pk]), {"decision": "publish"}).status_code == 404
    )
    assert decide(reviewer, submitted, "publish", kind="movement").status_code == 404
    response = decide(reviewer, submitted, "delete")
    assert response.status_code == 400 and b"decision" in response.content
    assert reviewer.get(reverse("front:decide", args=["observation", submitted.pk])).status_code == 405
    assert reviewer.get(reverse("front:observation", args=[999999])).status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_claim_pages_are_for_viewers_and_up(submitted):
    url = reverse("front:observation", args=[submitted.pk])
    assert client_for(None).get(url).status_code == 302
    assert client_for(None, make_user()).get(url).status_code == 403
    response = client_for("viewer").get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'value="publish"' not in html and ">Edit<" not in html  # viewers only look
    assert client_for("reviewer").get(reverse("front:review")).status_code == 200
    assert client_for("viewer").get(reverse("front:review")).status_code == 403


def test_review_and_history_pages_read_a_fixed_number_of_queries(submitted):
    reviewer = client_for("reviewer")

    def count_queries(url) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert reviewer.get(url).status_code == 200
        return len(queries)

    review, page = reverse("front:review"), reverse("front:observation", args=[submitted.pk])
    history = reverse("front:site-history", args=["khmeimim"])
    few = [count_queries(url) for url in (review, page, history)]
    for day in range(1, 11):
        claim = make_observation(submitted.site, submitted.asset_type, dt.date(2024, 11, day), state=State.SUBMITTED)
        claim.count = day
        claim.save()
    many = [count_queries(url) for url in (review, page, history)]
    assert many == few
    assert max(many) <= 14


# Expected answer to each decision, by who asks: 302 means done (redirected back), None means
# sent to the login page. The author is an editor; "editor" is another one.
DECISION_MATRIX = {
    "submit": {
        "anonymous": None,
        "no role": 403,
        "viewer": 403,
        "author": 302,
        "editor": 302,
        "reviewer": 302,
        "admin": 302,
    },
    "publish": {
        "anonymous": None,
        "no role": 403,
        "viewer": 403,
        "author": 403,
        "editor": 403,
        "reviewer": 302,
        "admin": 302,
    },
    "reject": {
        "anonymous": None,
        "no role": 403,
        "viewer": 403,
        "author": 403,
        "editor": 403,
        "reviewer": 302,
        "admin": 302,
    },
    # The author may abandon their own claim while it was never published.
    "retract": {
        "anonymous": None,
        "no role": 403,
        "viewer": 403,
        "author": 302,
        "editor": 403,
        "reviewer": 302,
        "admin": 302,
    },
    "withdraw": {
        "anonymous": None,
        "no role": 403,
        "viewer": 403,
        "author": 302,
        "editor": 302,
        "reviewer": 302,
        "admin": 302,
    },
}


@pytest.mark.parametrize(
    ("decision", "who"), [(decision, who) for decision, row in DECISION_MATRIX.items() for who in row]
)
def test_decision_permission_matrix(decision, who, author):
    claim = make_observation(
        make_site(),
        make_asset_type(),
        dt.date(2024, 12, 13),
        state=State.DRAFT if decision == "submit" else State.SUBMITTED,
        entered_by=author,
    )
    before = claim.state
    clients = {
        "anonymous": lambda: client_for(None),
        "no role": lambda: client_for(None, make_user()),
        "author": lambda: client_for(None, author),
    }
    client = clients.get(who, lambda: client_for(who))()
    response = decide(client, claim, decision, reason="Checked against the imagery.")
    expected = DECISION_MATRIX[decision][who]
    claim.refresh_from_db()
    if expected is None:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert claim.state == before
    elif expected == 403:
        assert response.status_code == 403 and claim.state == before
    else:
        assert response.status_code == 302 and claim.state == TRANSITIONS[(before, Action(decision))]
