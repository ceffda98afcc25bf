"""Sealing and opening cases in the database: the one place where ``reporting.crypto`` meets the models.

Each report has a case key (narrative, contact, form answers, attachments, notes) wrapped for the staff
who may read it and the recovery key, and a mailbox key (messages) wrapped for the same recipients and
for the reporter's receipt key. Whoever opens something must hold a private key for which a wrapped key
row exists: there is no other path to the plaintext. See SECURITY.md for the protocol.

Modules by role: ``values``, ``sealing``, ``opening``, ``grants``, ``shredding``,
``recovery_key`` (the instance's recovery key pair).
"""
