"""The shared settings, one file per concern; shop/settings/base.py gathers them."""
