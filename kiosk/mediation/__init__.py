"""Mediators on the kiosk: their unlock codes, the roster the hub sends, local accounts."""
