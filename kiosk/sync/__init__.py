"""What leaves the kiosk, and how: anonymisation, the wire contract, sync with the hub
over the network or by USB key, the kiosk's clock, and local exports.
"""
