"""Reading import files, without the database: from an upload's bytes to rows keyed by Huddle's
fields, so an import's preview and the import itself read a file the same way.

- `files.read_table` turns CSV/TSV/TXT, XLSX and vCard bytes into a `Table` (headers and
  numbered rows of text), or refuses the file whole with an `ImportFileError` that says why.
- `vcard` reads vCard 2.1, 3.0 and 4.0 into a table whose headers are Huddle's own names.
- `mapping` guesses which column feeds which field (Google, Outlook and Huddle's own headers),
  remembers nothing itself (`Mapping.to_dict` is for the caller to store) and applies a mapping
  to the rows: one `MappedRow` per row, e-mails and phones as labelled lists.
- `values` parses one cell by type (dates, year-less birthdays, numbers, money, yes/no, e-mail,
  web address, phone) or says, in a `CellError`, what is wrong with it.
- `names` splits a full name ("Schmidt, Anna", "Dr. Jan van der Berg") into first and last.
"""
