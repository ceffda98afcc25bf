"""The hash-chained audit log of staff actions, and the page that shows it."""
