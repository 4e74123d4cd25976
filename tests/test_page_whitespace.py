"""The result page is sent without its templates' indents and blank lines, which a browser
shows as it would with them: bytes the heaviest page a resident is shown need not carry."""
from __future__ import annotations

import re

from markupsafe import Markup

from kiosk.web.site import unindent


def test_unindent_drops_indents_and_blank_lines_and_keeps_the_markup_as_it_is():
    html = Markup('<ul>\n  <li>a &amp; b</li>\n\n\t<li>c\u00a0h</li>\n</ul>\n')
    assert unindent(html) == Markup("<ul>\n<li>a &amp; b</li>\n<li>c\u00a0h</li>\n</ul>\n")
    assert isinstance(unindent(html), Markup)
    # a space between words stays a space: a line end
    assert unindent(Markup("Place de la Mairie ·\n    dans votre commune")) == \
        "Place de la Mairie ·\ndans votre commune"


def test_the_result_page_carries_no_indent_and_no_blank_line(resident):
    resident.complete(how="alone")
    page = resident.get("/result").get_data(as_text=True)
    assert "Vos prochaines étapes" in page and '<dialog id="idle-dialog"' in page
    assert re.findall(r"\n[ \t]+\S", page) == []
    assert "\n\n" not in page[page.index('<section aria-labelledby="steps-title">'):
                              page.index("</main>")]
