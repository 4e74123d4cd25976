"""The questionnaire and what it measures: its model and checks, the question types,
scoring, offers, and the record a visit leaves behind.
"""
