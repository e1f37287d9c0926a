"""The web app and the REST API (FastAPI): pages, /api/v1, the calendar feed."""
