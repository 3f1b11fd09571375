"""Rollup services: turn raw results into one value per definition, granularity and period.

Design (issue 5, "Rollups"):
- Scored kinds (NPS, CSAT, CES) keep a per-score histogram per (definition, local day) in
  DailyScoreCount (`histograms`). Histograms add up, so every week, month and quarter comes
  out exact from the daily rows (`scores`). A stale day is rebuilt with one
  INSERT … SELECT … GROUP BY per batch (`stale`).
- TTR medians and percentiles do not add up: computed per period from the raw cases (`ttr`).
- Retention, churn and CLV come from running totals of joins, leaves and revenue (`members`).
- Every recompute of a definition holds a transaction-scoped advisory lock on it
  (PostgreSQL), taken in id order, so two runs never interleave or deadlock (`recompute`).
"""

from measurements.rollups.histograms import histograms_rebuild
from measurements.rollups.recompute import definitions_recompute, rollup_full, time_based_refresh
from measurements.rollups.scores import scored_rollups_compute
from measurements.rollups.stale import STALE_BATCH_SIZE, stale_rollups_recompute
from measurements.rollups.writing import RollupValue, rollups_write

__all__ = [
    "STALE_BATCH_SIZE",
    "RollupValue",
    "definitions_recompute",
    "histograms_rebuild",
    "rollup_full",
    "rollups_write",
    "scored_rollups_compute",
    "stale_rollups_recompute",
    "time_based_refresh",
]
