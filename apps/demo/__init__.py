"""Demo data: the demo Sage 300 CRE company and a connected Trestle, loaded by ``manage.py seed_demo``."""
