"""The workbook contract: where everything lives in an assessment workbook (layout), how a
partner's typed values are read back (normalise), the writer and the reader, the safety checks
a returned file passes before any parser sees it, and the manifest of a batch."""
