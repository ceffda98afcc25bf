"""Backup and restore of a whole instance.

A backup is one owner-only file: a consistent copy of the database, taken while the service runs, together
with what a restore needs besides it (the instance secrets, without whose receipt salt no receipt opens, and
the recovery public key). A restore fills a new, empty instance and refuses anything else.
"""
