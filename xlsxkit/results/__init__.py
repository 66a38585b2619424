"""Results: the pure consolidation of accepted returns into what the reports show."""
