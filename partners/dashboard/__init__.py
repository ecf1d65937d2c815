"""The partner dashboard: HTML pages for people, beside the partner API."""
