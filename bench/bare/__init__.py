"""A bare Django project: the reference every page of bench/pages.py is measured against.

What `django-admin startproject` gives (its middleware, database sessions, the auth and
contenttypes apps), with the settings the portal runs under in production that change the cost
of a request: persistent database connections (CONN_MAX_AGE), DEBUG off, the same PostgreSQL
server (its own database) and the same gunicorn configuration. Its one page reads the signed-in
user (session + user: two queries) and one row, and renders a template: what any signed-in
Django page pays before it does anything of its own.
"""
