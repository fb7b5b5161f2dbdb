from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    """The demo data set (core.demo), loaded by its management command."""
    call_command("load_demo", stdout=io.StringIO())
