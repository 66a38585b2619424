"""Machine checks of the files xlsxkit writes, for the apps we cannot run here.

Excel 2016, Excel 365 and Google Sheets are not on this machine, so every file must be right
by construction: valid against the published schemas (:mod:`tests.ooxml.schema`), inside
Excel's limits (:mod:`tests.ooxml.limits`), and readable after the conversions a partner's
app makes. :mod:`tests.ooxml.kinds` lists every kind of file xlsxkit writes; every check runs
over all of them, so a new kind of file is one line there.
"""
