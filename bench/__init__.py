"""`make bench`: seed PostgreSQL at scale, serve the portal with gunicorn, measure it (docs/benchmarks.md)."""
