"""Local counselling offices: their data (from the offices file and the administrator's pages), which
regions each serves, and who belongs to which office. Routing and isolation by office live in
``reporting.vault.offices``; the public list of offices in ``reporting.web.office_directory``."""
