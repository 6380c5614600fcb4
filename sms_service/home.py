"""`GET /`: what this installation holds, at a glance (the dashboard comes later)."""
from __future__ import annotations

from flask import Blueprint, render_template_string
from sqlalchemy import func, select

from .models import Appointment, Client, Facility, MentorMother, OutboundMessage, Transfer
from .services import get_services

blueprint = Blueprint("home", __name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>sms-service</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem}
td{padding:.2rem 1rem .2rem 0}</style></head><body>
<h1>sms-service is running</h1>
<table>{% for label, count in counts %}<tr><td>{{ label }}</td><td>{{ count }}</td></tr>{% endfor %}</table>
<h2>Outbound messages</h2>
<table>{% for status, count in messages %}<tr><td>{{ status }}</td><td>{{ count }}</td></tr>
{% else %}<tr><td>none yet</td></tr>{% endfor %}</table>
<p><a href="/healthz">Health</a> · <a href="/metrics">Metrics</a></p>
</body></html>"""


@blueprint.get("/")
def index():
    with get_services().db.session() as session:
        def count(model, *where):
            return session.scalar(select(func.count()).select_from(model).where(*where))

        counts = [
            ("Facilities", count(Facility)),
            ("Mentor Mothers", count(MentorMother)),
            ("Clients", count(Client)),
            ("Appointments", count(Appointment)),
            ("Open transfers", count(Transfer, Transfer.status.in_(Transfer.OPEN_STATES))),
        ]
        messages = session.execute(
            select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
        ).all()
    return render_template_string(PAGE, counts=counts, messages=messages)
