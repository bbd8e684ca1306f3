"""`miles bench`: workloads, the levels they run at, the baselines, and the report (issue 8)."""
