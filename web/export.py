"""The dashboard's CSV: domain/export.py, shared with the chat's /export."""

from domain.export import COUNT_COLUMNS, HEADER, REFERRAL_HEADER, rows_csv

__all__ = ["COUNT_COLUMNS", "HEADER", "REFERRAL_HEADER", "rows_csv"]
