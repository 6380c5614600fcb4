"""Imports (admins): upload a CSV of one of the five kinds, see every refused row with its line
and reason; a dry run checks without changing anything. The same loader as the command line."""

from __future__ import annotations

from flask import g, render_template, request

from ..bootstrap import get_services
from ..importing.kinds import KINDS
from ..importing.loader import load
from .auth import needs
from .base import blueprint


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
    loaded = load(
        get_services(),
        kind,
        upload.stream,
        actor=g.caller.actor,
        origin="web",
        dry_run=dry_run,
        audit_as=f"import.{kind}.upload",
    )
    report = loaded.report
    return render_template(
        "imports.html",
        kinds=sorted(KINDS),
        report=report,
        after=loaded.after,
        dry_run=dry_run,
        chosen=kind,
        filename=upload.filename,
    ), (200 if not report.file_refused else 400)
