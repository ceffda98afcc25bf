"""Encryption for reports; pure functions, no database, no web framework.

Layout (one concern per module):

* ``errors``      -- ``CryptoError``, the only error raised for unopenable data.
* ``envelope``    -- versioned headers, hybrid key pairs, HPKE seal/unseal,
                     AES-256-GCM field encryption, canonical field contexts.
* ``report_keys`` -- per-report case and mailbox data keys, wrapping them for
                     recipients, granting access, sealing fields.
* ``passwords``   -- staff private keys under Argon2id-derived keys; session
                     store / cookie key split.
* ``receipt``     -- reporter receipt codes and the keys derived from them.
* ``recovery``    -- organisation recovery key: armour, SLIP-39 shares, key file.

The protocol is described in SECURITY.md ("Encryption protocol and threat model").
"""
