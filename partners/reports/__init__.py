"""The partners' reports: the rows money events roll up into, the reads of them, and
the dashboard's charts."""
