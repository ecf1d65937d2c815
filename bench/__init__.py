"""`make bench`: the shop measured on its production stack (see bench/README.md)."""
