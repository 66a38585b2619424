"""The framework stage: the domain model and how a framework file is loaded and checked.

Nothing here knows about workbooks, mail or reports. Import the submodules directly
(``xlsxkit.framework.load``, ``xlsxkit.framework.model``); this package imports nothing, so
that a command that only needs the model does not pay for jsonschema.
"""
