"""`sms-service ussd simulate PHONE`: the menu in a terminal, through the real USSD code
(records choices like a real session). Empty input ends the session."""

from __future__ import annotations

import uuid

import click

from ..gateway import UssdStep
from ..resources import Services
from ..ussd.service import respond


def simulate(services: Services, phone: str) -> None:
    session, inputs = f"simulator-{uuid.uuid4().hex[:12]}", list[str]()
    while True:
        screen = respond(services, UssdStep(session, phone, tuple(inputs)))
        click.echo("\n" + screen.text + "\n")
        if screen.ends:
            return
        typed = click.prompt(">", default="", show_default=False).strip()
        if not typed:
            return
        inputs.append(typed)
