"""The hub: the Département's server that receives anonymised records from the kiosks.

Same codebase, another role (``KIOSK_ROLE=hub``) and another database. Data flows one
way: kiosks push frozen records; the hub never reaches back into a kiosk.
"""
