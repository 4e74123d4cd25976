"""The README stays true: every config key and every command is documented."""
from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from kiosk import create_app
from kiosk.config import DEFAULTS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_every_config_key_is_documented(key):
    assert f"`KIOSK_{key}`" in README


def command_paths(group, prefix=()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from command_paths(command, prefix + (name,))


COMMANDS = sorted(command_paths(create_app({"TESTING": True}).cli))


def test_commands_are_found():
    assert ("places", "import") in COMMANDS and len(COMMANDS) >= 6


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_is_documented(path):
    assert re.search(rf"`kiosk {' '.join(path)}[` \[]", README), " ".join(path)


def test_documented_keys_exist():
    for key in re.findall(r"`KIOSK_([A-Z_]+)`", README):
        assert key in DEFAULTS, key


def test_the_two_commands_are_in_the_readme():
    assert "make run" in README and "make test" in README
