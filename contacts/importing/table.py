"""What every reader returns: a header and numbered rows of text, and the one error that refuses
a file whole."""

from __future__ import annotations

from dataclasses import dataclass, field


class ImportFileError(Exception):
    """The whole file is refused before anything is imported; the message is for the person who
    uploaded it and says what is wrong and, where it can, what to do instead."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    """One record of the file. `number` is where it stands in the file, so a message can point
    at it: in a CSV or XLSX the header is row 1 and the first record row 2 (a record with a line
    break inside quotes is still one row); in a vCard file the first card is card 1. Blank rows
    are left out but keep their numbers."""

    number: int
    cells: list[str]


@dataclass
class Table:
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    kind: str = "csv"  # "csv" | "xlsx" | "vcard"

    @property
    def record_name(self) -> str:
        """What a row is called in messages: "row 4" of a spreadsheet, "card 3" of a vCard file."""
        return "card" if self.kind == "vcard" else "row"
