"""Django's {# ... #} comment ends on its own line: one left open runs on as page text. A note written for
the next engineer (how a page is kept) was printed on the risk register and every other register list."""

import re
from pathlib import Path

from django.conf import settings

OPEN_COMMENT = re.compile(r"\{#(?!.*?#\})")


def test_no_single_line_comment_spans_lines():
    root = Path(settings.BASE_DIR)
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.glob("**/templates/**/*.html"))
        if ".venv" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if OPEN_COMMENT.search(line)
    ]
    assert found == [], f"{{# ... #}} left open (use {{% comment %}} across lines): {found}"
