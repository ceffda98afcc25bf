"""The staff area under ``/staff/``: accounts, two-factor login, sessions, role guard, audit trail and cases."""
