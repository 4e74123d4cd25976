"""Languages, read-aloud and display: which languages the kiosk speaks, their
catalogues, speech clips and fonts, and the extractor of the questionnaire's text.
"""
