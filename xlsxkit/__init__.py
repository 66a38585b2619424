"""xlsxkit: run a maturity self-assessment across partner organisations with Excel workbooks.

The public API is what ``__all__`` lists; everything else may change. The names are imported
lazily, on first use, so that ``import xlsxkit`` stays cheap: the heavy dependencies
(XlsxWriter, python-calamine, jsonschema) load only when a job needs them. The CLI is lazy in
the same way (``xlsxkit --help`` imports no command; see :mod:`xlsxkit.cli`).

The job, step by step::

    framework = require_framework("framework.yaml")      # or load_framework() for the report
    generate(GenerateRequest(framework=..., organisations=..., out_dir=..., instructions=...))
    outcome = import_job(ImportRequest(sources=..., framework=framework), summary_path=...)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    # the framework
    "Framework": "xlsxkit.framework.model",
    "Organisation": "xlsxkit.framework.model",
    "Return": "xlsxkit.framework.model",
    "ReturnStatus": "xlsxkit.framework.model",
    "Answer": "xlsxkit.framework.model",
    "LoadResult": "xlsxkit.framework.load",
    "load_framework": "xlsxkit.framework.load",
    "require_framework": "xlsxkit.framework.load",
    # problems and errors
    "Code": "xlsxkit.codes",
    "Severity": "xlsxkit.codes",
    "Location": "xlsxkit.problems",
    "Problem": "xlsxkit.problems",
    "Report": "xlsxkit.problems",
    "XlsxkitError": "xlsxkit.errors",
    # out: the batch of workbooks
    "read_org_list": "xlsxkit.inbound.orgs",
    "load_template": "xlsxkit.workbook.instructions",
    "GenerateRequest": "xlsxkit.outbound.generate",
    "GenerateResult": "xlsxkit.outbound.generate",
    "generate": "xlsxkit.outbound.generate",
    # in: the returns
    "read_manifest": "xlsxkit.workbook.manifest",
    "read_return": "xlsxkit.workbook.read",
    "ImportRequest": "xlsxkit.inbound.batch",
    "ImportResult": "xlsxkit.inbound.resolve",
    "run_import": "xlsxkit.inbound.batch",
    # results
    "Summary": "xlsxkit.results.consolidate",
    "consolidate": "xlsxkit.results.consolidate",
    "write_summary": "xlsxkit.render.xlsx",
    "write_data": "xlsxkit.render.csv",
    "ImportOutcome": "xlsxkit.app.import_job",
    "import_job": "xlsxkit.app.import_job",
}

__all__ = [
    "Answer",
    "Code",
    "Framework",
    "GenerateRequest",
    "GenerateResult",
    "ImportOutcome",
    "ImportRequest",
    "ImportResult",
    "LoadResult",
    "Location",
    "Organisation",
    "Problem",
    "Report",
    "Return",
    "ReturnStatus",
    "Severity",
    "Summary",
    "XlsxkitError",
    "__version__",
    "consolidate",
    "generate",
    "import_job",
    "load_framework",
    "load_template",
    "read_manifest",
    "read_org_list",
    "read_return",
    "require_framework",
    "run_import",
    "write_data",
    "write_summary",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from xlsxkit.app.import_job import ImportOutcome, import_job
    from xlsxkit.codes import Code, Severity
    from xlsxkit.errors import XlsxkitError
    from xlsxkit.framework.load import LoadResult, load_framework, require_framework
    from xlsxkit.framework.model import Answer, Framework, Organisation, Return, ReturnStatus
    from xlsxkit.inbound.batch import ImportRequest, run_import
    from xlsxkit.inbound.orgs import read_org_list
    from xlsxkit.inbound.resolve import ImportResult
    from xlsxkit.outbound.generate import GenerateRequest, GenerateResult, generate
    from xlsxkit.problems import Location, Problem, Report
    from xlsxkit.render.csv import write_data
    from xlsxkit.render.xlsx import write_summary
    from xlsxkit.results.consolidate import Summary, consolidate
    from xlsxkit.workbook.instructions import load_template
    from xlsxkit.workbook.manifest import read_manifest
    from xlsxkit.workbook.read import read_return


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'xlsxkit' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
