"""Case work in the staff area: inbox, case page, categorisation, workflow, walk-in intake, retention."""
