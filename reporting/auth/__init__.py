"""Staff accounts and how they get in: passwords, two-factor login, sessions, invitations and the guard."""
