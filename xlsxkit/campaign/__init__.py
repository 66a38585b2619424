"""The campaign: the state of an assessment that runs for years, round after round.

A campaign is a folder (:mod:`~xlsxkit.campaign.locate`) with a settings file
(:mod:`~xlsxkit.campaign.settings`) and one SQLite store (:mod:`~xlsxkit.campaign.store`)
that remembers organisations, rounds, the workbooks sent, every file ever imported and the
accepted answers. :mod:`~xlsxkit.campaign.progress` compares a round with the one before.

This is state used by the jobs: it may use framework, workbook, inbound and results; the
jobs (app) and the CLI use it; nothing below it does.
"""
