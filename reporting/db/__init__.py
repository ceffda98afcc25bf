"""Database layer: declarative models, engine set-up and migrations.

Only sealed (encrypted) blobs and coarse codes are stored; see SECURITY.md for what is plain.
"""
