"""The bare endpoint the webhook benchmark compares with: Flask, one POST route reading the
form and answering 200, and the /healthz the benchmark waits on. Nothing else."""

from flask import Flask, request


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/bare")
    def bare():
        request.form.get("id")
        return "", 200

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app
