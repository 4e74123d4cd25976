"""Where the data folders are: beside the package in a checkout, inside it in a wheel."""
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# A wheel carries questionnaires/, static/ and translations/ in kiosk/_data/ (see
# pyproject.toml); a source checkout keeps them at the top of the repository.
ROOT = _PACKAGE / "_data" if (_PACKAGE / "_data").is_dir() else _PACKAGE.parent

QUESTIONNAIRES = ROOT / "questionnaires"
STATIC = ROOT / "static"
TRANSLATIONS = ROOT / "translations"
DATA = QUESTIONNAIRES / "data"
