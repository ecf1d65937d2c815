"""Shipments, carriers and tracking (see the fulfillment issue)."""
