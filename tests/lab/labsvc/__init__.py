"""Helpers of the local OpenStack lab (run inside the lab venv, not the project venv)."""
