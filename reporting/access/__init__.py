"""Who may do what: staff roles, the access rules routes declare, and the acting staff identity.

Plain data without a database or web framework, so every domain can state its rules and the guard
(``reporting.auth.guards``) can enforce them.
"""
