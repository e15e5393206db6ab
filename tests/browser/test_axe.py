"""The accessibility check itself: any WCAG 2.0/2.1 A or AA fault fails, whatever its impact."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import axe_violations

PAGE = """<!DOCTYPE html>
<html {lang}><head><meta charset="utf-8"><title>Bureaux de vote</title></head>
<body><main><h1>Bureaux de vote</h1><p>Aucun bureau pour le moment.</p></main></body></html>"""


def test_a_moderate_wcag_fault_fails_the_check(page: Any) -> None:
    # Two languages declared for one page (WCAG 3.1.1): axe rates it "moderate".
    page.set_content(PAGE.format(lang='lang="fr" xml:lang="en"'))

    violations = axe_violations(page)

    assert [v for v in violations if v.startswith("html-xml-lang-mismatch (moderate)")], violations


def test_a_page_without_fault_passes(page: Any) -> None:
    page.set_content(PAGE.format(lang='lang="fr"'))

    assert axe_violations(page) == []
