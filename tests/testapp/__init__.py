"""A clinic project's own pages, built on the package's as a project would build them."""
