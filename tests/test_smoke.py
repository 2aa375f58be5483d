from ledger.application import Clerk, Ledger
from ledger.imports import import_file

from .conftest import EXAMPLES


def test_example_file_imports_and_reimport_writes_nothing(ledger: Ledger, clerk: Clerk) -> None:
    first = import_file(ledger, EXAMPLES / "small-province.jsonl", clerk)
    position = ledger.recorder.max_notification_id()
    second = import_file(ledger, EXAMPLES / "small-province.jsonl", clerk)

    assert first.written_lines == 40
    assert second.already_imported
    assert ledger.recorder.max_notification_id() == position
