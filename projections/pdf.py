"""The inspector's page as PDF: WeasyPrint draws the same HTML (the optional ``pdf`` extra).
WeasyPrint writes no creation time, so the same page gives the same PDF bytes."""

from __future__ import annotations

from collections.abc import Callable

from ledger.errors import NotInstalled

EXTRA = "pip install 'antq-ledger[pdf]'"


def pdf_maker() -> Callable[[str], bytes]:
    """What turns an HTML page (that fetches nothing) into PDF bytes; NotInstalled, saying what
    to install, when WeasyPrint or the Pango library it draws text with is missing."""
    try:
        from weasyprint import HTML
    except ImportError:
        raise NotInstalled(f"--format pdf needs WeasyPrint: {EXTRA}") from None
    except OSError as error:  # WeasyPrint is installed, Pango isn't
        raise NotInstalled(
            "--format pdf needs the Pango library (Debian: apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0): {error}"
        ) from None
    return lambda page: HTML(string=page).write_pdf()
