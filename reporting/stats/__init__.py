"""Anonymised annual statistics: counting categorised cases and deciding what may be published."""
