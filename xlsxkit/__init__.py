"""xlsxkit: run a maturity self-assessment across partner organisations with Excel workbooks."""

__version__ = "0.1.0"
