"""HTTP plumbing shared by every domain: security headers, error pages, logging, templates, health."""
