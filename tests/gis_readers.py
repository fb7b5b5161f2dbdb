"""Third-party readers of the files basewatch writes (GDAL's ogrinfo, an XML parser), shared by the
tests of the track and list exports."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

OGRINFO = shutil.which("ogrinfo")


def ogrinfo(path: Path, *layer: str, summary: bool = False) -> str:
    """What GDAL reads in the file: its layers and feature counts (summary), or every feature of `layer`."""
    assert OGRINFO, "GDAL's ogrinfo is needed to read the exports back"
    options = ["-al", "-so"] if summary else []
    result = subprocess.run(  # noqa: S603 (our own arguments)
        [OGRINFO, "-ro", *options, str(path), *layer], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout


def layer_counts(summary: str) -> dict[str, int]:
    """{layer name: feature count} from an `ogrinfo -so` summary."""
    names = re.findall(r"^Layer name: (.+)$", summary, re.MULTILINE)
    counts = re.findall(r"^Feature Count: (\d+)$", summary, re.MULTILINE)
    return dict(zip(names, map(int, counts), strict=True))


def field_types(summary: str) -> dict[str, dict[str, str]]:
    """{layer name: {field: OGR type}} from an `ogrinfo -so` summary."""
    layers: dict[str, dict[str, str]] = {}
    for block in re.split(r"^Layer name: ", summary, flags=re.MULTILINE)[1:]:
        name = block.splitlines()[0]
        layers[name] = dict(re.findall(r"^(\w+): (\w+(?:\(\w+\))?) \(\d+\.\d+\)$", block, re.MULTILINE))
    return layers


def parse(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)  # noqa: S314 (our own answer, in a test)
