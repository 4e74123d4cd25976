"""Where people live and where help is: the Allier's communes and the places of
digital mediation (national standard). Pure: no Flask, no SQL.
"""
