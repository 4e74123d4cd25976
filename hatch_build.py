"""Hatchling build hook: the wheel carries compiled catalogues.

The app reads .mo files, which are not kept in git (`make catalogues` compiles them in a
checkout). A wheel built from a clean clone or from the sdist would otherwise carry the
.po files only, and every language would show French. The hook compiles
translations/ into a temporary folder, exactly as `kiosk i18n compile` does (Babel's
``pybabel compile``), and that folder becomes the wheel's kiosk/_data/translations: the
source tree gets no file, and a stale .mo lying in a developer's checkout never reaches
a wheel.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

WHEEL_TRANSLATIONS = "kiosk/_data/translations"


class CompiledCatalogues(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        # An editable install reads the checkout's translations/ (`make catalogues`).
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.frontend import CommandLineInterface

        self._work = Path(tempfile.mkdtemp(prefix="kiosk-catalogues-"))
        compiled = self._work / "translations"
        shutil.copytree(Path(self.root) / "translations", compiled,
                        ignore=shutil.ignore_patterns("*.mo"))
        if CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(compiled)]):
            raise RuntimeError("the catalogues in translations/ do not compile")
        build_data["force_include"][str(compiled)] = WHEEL_TRANSLATIONS

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        work = getattr(self, "_work", None)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
