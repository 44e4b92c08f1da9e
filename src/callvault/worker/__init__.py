"""Batch runs over recording archives: sources, planning, leases, executors."""
