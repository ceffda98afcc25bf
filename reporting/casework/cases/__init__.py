"""Case work in the staff area: inbox, case view, categorisation, workflow, access grants and walk-in intake."""
