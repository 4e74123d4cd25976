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


PACKAGE = Path(__file__).resolve().parent.parent / "kiosk"
LAYOUT = README[README.index("## Layout"):README.index("## Data")]


def mapped_modules():
    """kiosk/... paths the map of the code names, as paths relative to the repository."""
    names, folder = set(), None
    for line in LAYOUT.splitlines():
        top = re.match(r"(kiosk/\S*)\s", line + " ")
        inner = re.match(r"    (\S+\.py)\s", line)
        if top:
            names.add(top.group(1))
            folder = top.group(1) if top.group(1).endswith("/") else None
        elif inner and folder:
            names.add(folder + inner.group(1))
    return names


def test_the_map_of_the_code_names_only_real_files():
    missing = [n for n in mapped_modules() if not (PACKAGE.parent / n).exists()]
    assert not missing and "kiosk/sync/client.py" in mapped_modules()


def test_every_module_outside_the_hub_is_on_the_map():
    modules = {str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
               if "hub" not in p.parts and p.name != "__init__.py" or p.parent == PACKAGE}
    assert modules - mapped_modules() == set()
