"""The settings registry is the one source of every ARCHIVE_* setting's default and doc."""

from __future__ import annotations

import re

import pytest
from scrapy.settings import Settings

from crawler import config
from crawler import settings as project_settings
from tests.conftest import REPO

pytestmark = pytest.mark.unit


def test_the_scrapy_settings_module_takes_every_default_from_the_registry():
    ours = {name: value for name, value in vars(project_settings).items() if name.startswith("ARCHIVE_")}
    assert ours == config.defaults()


@pytest.mark.parametrize("name", sorted(config.SETTINGS))
def test_a_setting_reads_its_registry_default_when_unset_and_its_value_when_set(name):
    spec = config.SETTINGS[name]
    assert config.setting(Settings(), name) == spec.default
    assert isinstance(config.setting(Settings(), name), spec.type)
    given, expected = {bool: ("False", False), int: ("7", 7), float: ("2.5", 2.5), str: ("other.db", "other.db"),
                       list: ("images.lan,10.0.0.9", ["images.lan", "10.0.0.9"])}[spec.type]
    if spec.type is bool and spec.default is False:
        given, expected = "True", True
    assert config.setting(Settings({name: given}), name) == expected


def test_no_component_reads_one_of_our_settings_with_a_default_of_its_own():
    pattern = re.compile(r"\.get(?:bool|int|float|list|dict)?\(\s*['\"]ARCHIVE_")
    offenders = [str(path.relative_to(REPO)) for folder in ("crawler", "spiders", "archive")
                 for path in (REPO / folder).rglob("*.py") if pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_every_setting_has_a_one_line_doc():
    for spec in config.SETTINGS.values():
        assert spec.doc and "\n" not in spec.doc and spec.doc.endswith("."), spec.name

