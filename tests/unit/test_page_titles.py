import glob
import os
import re

from chalicelib.template_environments import TEMPLATES_DIR


def test_every_page_title_is_plain_text():
    # A title block holds text only: markup there means a template edit went astray.
    offenders = []
    for path in glob.glob(os.path.join(TEMPLATES_DIR, "**", "*.html"), recursive=True):
        for title in re.findall(r"\{% block title %\}(.*?)\{% endblock %\}", open(path, encoding="utf-8").read(), re.S):
            if "<" in title or "\n" in title:
                offenders.append(os.path.relpath(path, TEMPLATES_DIR))
    assert offenders == []
