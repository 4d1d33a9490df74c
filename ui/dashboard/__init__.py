"""The review dashboard's parts (charts, sections, the review map); the page is ``ui/pages/dashboard_page.py``."""
