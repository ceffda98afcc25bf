"""Instance configuration: ``REPORTING_*`` settings, the instance secrets file, owner-only files."""
