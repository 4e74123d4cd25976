"""The resident's pages: the self-service flow, the result page, site-wide web behaviour
(locale, security headers, errors) and `kiosk serve`.
"""
