"""Imports (admins): upload a CSV of one of the five kinds, see every refused row with its line
and reason; a dry run checks without changing anything. The same loader as the command line."""
from __future__ import annotations

from flask import g, render_template, request

from .. import audit
from ..outbound.dispatch import enqueue_due
from ..importing import import_csv
from ..importing.follow_on import FollowOn, follow_on
from ..importing.kinds import KINDS
from ..bootstrap import get_services
from . import blueprint
from .auth import needs


@blueprint.get("/imports")
@needs("admin")
def imports():
    return render_template("imports.html", kinds=sorted(KINDS))


@blueprint.post("/imports")
@needs("admin")
def upload():
    kind, upload, dry_run = request.form.get("kind", ""), request.files.get("file"), request.form.get("dry_run") == "1"
    if kind not in KINDS or upload is None or not upload.filename:
        return render_template("imports.html", kinds=sorted(KINDS), problem=True), 400
    services = get_services()
    with services.db.session() as s:
        report = import_csv(s, kind, upload.stream, actor=g.caller.actor, origin="web", today=services.config.today())
        after = FollowOn() if report.file_refused else follow_on(s, kind, config=services.config,
                                                                 actor=g.caller.actor, source="csv")
        if report.file_refused or dry_run:
            s.rollback()
        else:
            audit.record(s, g.caller.actor, f"import.{kind}.upload", origin="web", **report.counts())
    if not dry_run and after.started is not None and after.started.notices:
        enqueue_due(services)
    return render_template("imports.html", kinds=sorted(KINDS), report=report, after=after, dry_run=dry_run,
                           chosen=kind, filename=upload.filename), (200 if not report.file_refused else 400)
