"""Render: drawing results as files (the summary workbook, the CSVs)."""
