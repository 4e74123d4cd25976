"""Where the kiosk keeps things: the SQLite connection, its migrations, every SQL
statement of the kiosk side, and the secret key that signs its cookies.
"""
