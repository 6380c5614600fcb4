"""The API's OpenAPI 3.1 document (`GET /api/v1/openapi.json`), written as data beside the
views; a test checks that it names every route and only routes that exist."""

from __future__ import annotations

from flask import jsonify

from ..life_events.kinds import KINDS as LIFE_EVENT_KINDS
from ..transfers.states import OUTCOMES
from .base import blueprint

ERROR = {"$ref": "#/components/schemas/Error"}
ERRORS = (
    ("400", "malformed"),
    ("401", "no valid token"),
    ("403", "not for this role"),
    ("404", "not found, or not the caller's"),
    ("409", "refused in the present state (already done, past it)"),
    ("422", "refused for its content (a broadcast's words, length, audience or time)"),
)
OBJECT = {"type": "object"}


ID = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _query(name: str, kind: str = "string", description: str = "") -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": ID if kind == "integer" else {"type": kind},
        "description": description,
    }


def _client_id() -> dict:
    return {
        "name": "client_id",
        "in": "path",
        "required": True,
        "description": "the clinic's id",
        "schema": {"type": "string"},
    }


def _code() -> dict:
    return {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}


def _limit() -> dict:
    return {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
        "description": "page size (100)",
    }


def _list(schema: str, next_name: str | None) -> dict:
    properties = {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}}
    if next_name:
        properties[next_name] = {"type": ["integer", "null"]}
    return {"type": "object", "required": ["items"], "properties": properties}


NULLABLE_STRING = {"type": ["string", "null"]}

# (method, path, summary, roles, parameters, request body schema, success status, success schema)
OPERATIONS = [
    (
        "post",
        "/transfers",
        "Create transfers (rows as the transfers CSV), or preview them with dry_run",
        "admin, supervisor",
        [],
        {"$ref": "#/components/schemas/TransfersRequest"},
        "201",
        OBJECT,
    ),
    (
        "get",
        "/transfers",
        "Transfers the caller may see, 100 a page in id order",
        "any",
        [_query("site"), _query("clinic"), _query("status"), _query("after_id", "integer")],
        None,
        "200",
        {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Transfer"}},
                "next_after_id": {"type": ["integer", "null"]},
            },
        },
    ),
    (
        "get",
        "/transfers/{transfer_id}",
        "One transfer with its events",
        "any",
        [_id("transfer_id")],
        None,
        "200",
        {"$ref": "#/components/schemas/Transfer"},
    ),
    (
        "post",
        "/transfers/{transfer_id}/arrival",
        "She has arrived (the receiving clinic, her Mentor Mother, staff)",
        "any",
        [_id("transfer_id")],
        {"type": "object", "properties": {"note": {"type": "string"}}},
        "200",
        {"$ref": "#/components/schemas/Transfer"},
    ),
    (
        "post",
        "/transfers/{transfer_id}/outcome",
        "Record an outcome",
        "any",
        [_id("transfer_id")],
        {
            "type": "object",
            "required": ["outcome"],
            "properties": {"outcome": {"enum": list(OUTCOMES)}, "note": {"type": "string"}},
        },
        "200",
        {"$ref": "#/components/schemas/Transfer"},
    ),
    (
        "get",
        "/transfers/report",
        "Counts per closing site and receiving clinic; who needs follow-up",
        "any",
        [_query("site")],
        None,
        "200",
        OBJECT,
    ),
    ("get", "/transfers/report.csv", "The same report as CSV", "any", [_query("site")], None, "200", "csv"),
    (
        "get",
        "/transfers/referrals/{code}.csv",
        "The clients coming to clinic CODE (never sent by SMS)",
        "admin, supervisor",
        [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
        None,
        "200",
        "csv",
    ),
    (
        "post",
        "/site-closures",
        "Close a site and transfer its active clients, or preview with dry_run",
        "admin, supervisor of the site",
        [],
        {"$ref": "#/components/schemas/SiteClosureRequest"},
        "201",
        OBJECT,
    ),
    (
        "get",
        "/appointments",
        "A client's visits",
        "any",
        [
            {
                "name": "client_id",
                "in": "query",
                "required": True,
                "description": "the clinic's id",
                "schema": {"type": "string", "minLength": 1},
            }
        ],
        None,
        "200",
        OBJECT,
    ),
    (
        "post",
        "/appointments/{appointment_id}/attended",
        "She came to the visit",
        "any",
        [_id("appointment_id")],
        None,
        "200",
        {"$ref": "#/components/schemas/Appointment"},
    ),
    (
        "post",
        "/appointments/{appointment_id}/cancel",
        "Cancel a visit (its reminders with it)",
        "admin, supervisor",
        [_id("appointment_id")],
        None,
        "200",
        {"$ref": "#/components/schemas/Appointment"},
    ),
    (
        "post",
        "/appointments/{appointment_id}/reschedule",
        "A new date (and time): reminders superseded",
        "admin, supervisor",
        [_id("appointment_id")],
        {
            "type": "object",
            "required": ["date"],
            "properties": {
                "date": {"type": "string", "format": "date"},
                "time": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
            },
        },
        "200",
        {"$ref": "#/components/schemas/Appointment"},
    ),
    (
        "post",
        "/broadcasts",
        "Create a broadcast, or preview it (recipients, parts, cost)",
        "any",
        [],
        {"$ref": "#/components/schemas/BroadcastRequest"},
        "201",
        {"$ref": "#/components/schemas/Broadcast"},
    ),
    (
        "get",
        "/broadcasts",
        "Broadcasts the caller may see, newest first",
        "any",
        [_query("before_id", "integer")],
        None,
        "200",
        OBJECT,
    ),
    (
        "get",
        "/broadcasts/{broadcast_id}",
        "One broadcast with its progress",
        "any",
        [_id("broadcast_id")],
        None,
        "200",
        {"$ref": "#/components/schemas/Broadcast"},
    ),
    (
        "post",
        "/broadcasts/{broadcast_id}/approve",
        "Approve (not its author)",
        "admin, supervisor",
        [_id("broadcast_id")],
        None,
        "200",
        {"$ref": "#/components/schemas/Broadcast"},
    ),
    (
        "post",
        "/broadcasts/{broadcast_id}/cancel",
        "Cancel: what is not yet out stays unsent",
        "any",
        [_id("broadcast_id")],
        None,
        "200",
        {"$ref": "#/components/schemas/Broadcast"},
    ),
    ("get", "/facilities", "Every facility", "any", [], None, "200", _list("Facility", None)),
    (
        "get",
        "/facilities/{code}",
        "One facility",
        "any",
        [_code()],
        None,
        "200",
        {"$ref": "#/components/schemas/Facility"},
    ),
    (
        "get",
        "/clients",
        "Clients the caller may see, in id order",
        "any",
        [
            _query("q", description="first name (its start), phone or client_id"),
            _query("facility"),
            _query("after_id", "integer"),
            _limit(),
        ],
        None,
        "200",
        _list("Client", "next_after_id"),
    ),
    (
        "get",
        "/clients/{client_id}",
        "One client (the clinic's id) with her timeline, newest first",
        "any",
        [{"name": "client_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        None,
        "200",
        {"$ref": "#/components/schemas/Client"},
    ),
    (
        "post",
        "/clients/{client_id}/messages",
        "Answer a client: one SMS, checked like a broadcast (discreet wording, plain characters, at "
        "most 3 parts); the same answer again answers 200 and sends nothing more",
        "any",
        [_client_id()],
        {"$ref": "#/components/schemas/AnswerRequest"},
        "201",
        {"$ref": "#/components/schemas/Answer"},
    ),
    (
        "post",
        "/clients/{client_id}/events",
        "Record a life event: what has happened to her decides every message "
        "(the same event again answers 200 and changes nothing)",
        "any",
        [_client_id()],
        {"$ref": "#/components/schemas/LifeEventRequest"},
        "201",
        {"$ref": "#/components/schemas/LifeEvent"},
    ),
    (
        "post",
        "/clients/{client_id}/events/{event_id}/retract",
        "Retract a life event recorded by mistake: what is "
        "still to come is planned again, nothing whose moment passed is sent late",
        "any",
        [_client_id(), _id("event_id")],
        None,
        "200",
        {"$ref": "#/components/schemas/LifeEvent"},
    ),
    (
        "get",
        "/messages",
        "Outbound SMS the caller may see, newest first",
        "any",
        [
            _query("status"),
            _query("purpose"),
            _query("phone"),
            _query("broadcast_id", "integer"),
            {
                **_query("since", description="a date and time (local time when without an offset)"),
                "schema": {"type": "string", "format": "date-time"},
            },
            _query("before_id", "integer"),
            _limit(),
        ],
        None,
        "200",
        _list("Message", "next_before_id"),
    ),
    (
        "get",
        "/tasks",
        "Follow-up tasks the caller may see, oldest first",
        "any",
        [
            {"name": "status", "in": "query", "required": False, "schema": {"enum": ["open", "done", "all"]}},
            _query("after_id", "integer"),
            _limit(),
        ],
        None,
        "200",
        _list("Task", "next_after_id"),
    ),
    (
        "post",
        "/tasks/{task_id}/done",
        "Record a task's outcome (a transfer outcome moves the transfer too)",
        "any",
        [_id("task_id")],
        {
            "type": "object",
            "required": ["outcome"],
            "properties": {
                "outcome": {
                    "enum": ["reached", "visited", "not_needed", "arrived", "moved_elsewhere", "declined", "died"]
                },
                "note": {"type": "string"},
            },
        },
        "200",
        {"$ref": "#/components/schemas/Task"},
    ),
]

SCHEMAS = {
    "Facility": {
        "type": "object",
        "required": ["code", "name"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            **{
                k: NULLABLE_STRING
                for k in ("county", "sub_county", "landmark", "phone", "hours", "landmark_sw", "hours_sw", "closed_on")
            },
        },
    },
    "Client": {
        "type": "object",
        "required": ["client_id", "first_name", "phone", "facility"],
        "properties": {
            "client_id": {"type": "string"},
            "first_name": {"type": "string"},
            "phone": {"type": "string"},
            "facility": {"type": "string"},
            "language": {"enum": ["en", "sw"]},
            "stage": {"type": "string"},
            "status": {"type": "string"},
            "edd": NULLABLE_STRING,
            "opted_out": {"type": "boolean"},
            "muted": {
                "enum": [None, "died", "moved_away", "inactive", "network_block", "opted_out"],
                "description": "why she gets no messages, or null",
            },
            "events": {"type": "array", "items": {"$ref": "#/components/schemas/LifeEvent"}},
            "timeline": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "at": {"type": "string"},
                        "kind": {"type": "string"},
                        "title": {"type": "string"},
                        "detail": {"type": "string"},
                        "status": {"type": "string"},
                    },
                },
            },
        },
    },
    "Message": {
        "type": "object",
        "required": ["id", "phone", "purpose", "status"],
        "properties": {
            "id": {"type": "integer"},
            "client_id": NULLABLE_STRING,
            "first_name": NULLABLE_STRING,
            "phone": {"type": "string"},
            "purpose": {"type": "string"},
            "language": {"type": "string"},
            "body": {"type": "string"},
            "parts": {"type": "integer"},
            "status": {"type": "string"},
            "failure_reason": NULLABLE_STRING,
            "broadcast_id": {"type": ["integer", "null"]},
            "not_before": {"type": "string"},
            "expires_at": {"type": "string"},
            "sent_at": NULLABLE_STRING,
        },
    },
    "AnswerRequest": {
        "type": "object",
        "required": ["text"],
        "properties": {"text": {"type": "string", "minLength": 1}, "task_id": {"type": "integer"}},
    },
    "Answer": {
        "type": "object",
        "required": ["id", "sms_parts"],
        "properties": {
            "id": {"type": "integer"},
            "sms_parts": {"type": "integer"},
            "tasks_closed": {"type": "integer"},
        },
    },
    "Task": {
        "type": "object",
        "required": ["id", "kind", "status"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string"},
            "subject": NULLABLE_STRING,
            "note": NULLABLE_STRING,
            "sms": NULLABLE_STRING,
            "status": {"type": "string"},
            "priority": {"enum": ["normal", "urgent"]},
            "outcome": NULLABLE_STRING,
            "due_on": NULLABLE_STRING,
            "client_id": NULLABLE_STRING,
            "first_name": NULLABLE_STRING,
            "phone": NULLABLE_STRING,
        },
    },
    "LifeEventRequest": {
        "type": "object",
        "required": ["kind", "date"],
        "properties": {
            "kind": {"enum": list(LIFE_EVENT_KINDS)},
            "date": {"type": "string", "format": "date", "description": "when it happened: today or before"},
            "note": {"type": "string", "maxLength": 500},
            "infant_dob": {
                "type": "string",
                "format": "date",
                "description": "infant_died: which infant, when she has several",
            },
            "new_phone": {"type": "string", "description": "number_changed: a Kenyan mobile number"},
        },
    },
    "LifeEvent": {
        "type": "object",
        "required": ["id", "kind", "date"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"enum": list(LIFE_EVENT_KINDS)},
            "date": {"type": "string"},
            "infant_dob": NULLABLE_STRING,
            "new_phone": NULLABLE_STRING,
            "note": NULLABLE_STRING,
            "recorded_by": {"type": "string"},
            "channel": {"type": "string"},
            "recorded_at": {"type": "string"},
            "retracted_at": NULLABLE_STRING,
            "retracted_by": NULLABLE_STRING,
            "recorded": {"type": "boolean"},
            "retracted": {"type": "boolean"},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}, "problems": {"type": "array", "items": {"type": "string"}}},
    },
    "Transfer": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "client_id": {"type": "string"},
            "first_name": {"type": "string"},
            "from_facility": {"type": "string"},
            "to_facility": {"type": "string"},
            "effective_date": {"type": "string", "format": "date"},
            "status": {"type": "string"},
            "events": {"type": "array", "items": OBJECT},
        },
    },
    "TransfersRequest": {
        "type": "object",
        "required": ["transfers"],
        "properties": {
            "transfers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["client_id", "to_facility_code", "effective_date"],
                    "properties": {
                        "client_id": {"type": "string"},
                        "to_facility_code": {"type": "string"},
                        "effective_date": {
                            "type": "string",
                            "description": "YYYY-MM-DD; a record whose date is none is refused by its index, "
                            "the others load",
                        },
                        "reason": {"type": "string"},
                    },
                },
            },
            "dry_run": {"type": "boolean"},
        },
    },
    "SiteClosureRequest": {
        "type": "object",
        "required": ["site", "effective_date"],
        "properties": {
            "site": {"type": "string", "minLength": 1},
            "to": {
                "type": "string",
                "minLength": 1,
                "description": "one facility code, or up to three comma-separated: the client's choice",
            },
            "capacity": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
            },
            "mapping": {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1},
            "effective_date": {"type": "string", "format": "date"},
            "dry_run": {"type": "boolean"},
        },
        "anyOf": [{"required": ["to"]}, {"required": ["mapping"]}],
    },
    "Appointment": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "client_id": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "time": {"type": ["string", "null"]},
            "kind": {"type": "string"},
            "status": {"type": "string"},
        },
    },
    "BroadcastRequest": {
        "type": "object",
        "properties": {
            "text_en": {"type": "string"},
            "text_sw": {"type": "string"},
            "send_at": {"type": "string"},
            "normalise": {"type": "boolean"},
            "preview": {"type": "boolean"},
            "filters": {
                "type": "object",
                "properties": {
                    "stage": {"enum": ["pregnant", "postnatal", "other"]},
                    "facility": {"type": "string"},
                    "language": {"enum": ["en", "sw"]},
                    "pending_transfer": {"type": "boolean"},
                    "infant_under_months": {"type": "integer", "minimum": 1, "maximum": 60},
                },
            },
        },
    },
    "Broadcast": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string"},
            "recipients": {"type": "integer"},
            "sms_parts": {"type": "integer"},
            "progress": OBJECT,
            "preview": OBJECT,
        },
    },
}


def document() -> dict:
    paths: dict[str, dict] = {}
    for method, path, summary, roles, parameters, request, status, schema in OPERATIONS:
        content = (
            {"text/csv": {"schema": {"type": "string"}}}
            if schema == "csv"
            else {"application/json": {"schema": schema}}
        )
        done = {"description": "done", "content": content}
        also = {"201": "200", "200": None}[status]  # a preview or dry run answers 200, not 201
        operation = {
            "summary": summary,
            "description": f"Roles: {roles}.",
            "parameters": parameters,
            "responses": {
                status: done,
                **({also: done} if also else {}),
                **{
                    code: {"description": text, "content": {"application/json": {"schema": ERROR}}}
                    for code, text in ERRORS
                },
            },
        }
        if request is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": request}}}
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sms-service API",
            "version": "1",
            "description": "Mentor Mother programmes: facilities, clients, visits, transfers, broadcasts, "
            "messages, tasks. Authorization: "
            "Bearer <token> from `sms-service api-tokens add`. Text never "
            "holds a NUL character (refused with 400).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "security": [{"token": []}],
    }


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(document())
