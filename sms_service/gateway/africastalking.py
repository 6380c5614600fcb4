"""Africa's Talking, through the official SDK (africastalking 2.0.3).

The SDK builds the request (fields, headers, phone validation); this subclass only points it
at `AT_API_URL` and carries it over a pooled urllib3 connection pool (the transport under
`requests`, a third of its CPU per call, which sets the pace of personalised sends) with an
explicit timeout and no hidden retries, keeping the HTTP status the SDK would lose. Every AT word
is mapped here, by table, to an `Outcome`.
Facts: ../shared/reference/africastalking.md.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from urllib.parse import urlencode

import urllib3
from africastalking.SMS import SMSService
from urllib3.exceptions import ConnectTimeoutError, HTTPError, ReadTimeoutError

from ..phones import PhoneError, normalise_phone
from .records import DeliveryUpdate, IncomingSms, Malformed, OptOutNotice, Outcome, SendResult, UssdSessionEnd, UssdStep

log = logging.getLogger(__name__)
TIMEOUT = (3.05, 10.0)  # connect, read (seconds)

# Per-recipient statusCode → (outcome, our reason)
RECIPIENT_CODES: dict[int, tuple[Outcome, str | None]] = {
    100: (Outcome.ACCEPTED, None),  # Processed
    101: (Outcome.ACCEPTED, None),  # Sent
    102: (Outcome.ACCEPTED, None),  # Queued
    401: (Outcome.STOP_LINE, "account_on_hold"),  # RiskHold
    402: (Outcome.STOP_LINE, "invalid_sender_id"),  # InvalidSenderId
    403: (Outcome.PERMANENT, "invalid_phone_number"),  # InvalidPhoneNumber
    404: (Outcome.PERMANENT, "unsupported_number_type"),  # UnsupportedNumberType
    405: (Outcome.STOP_LINE, "insufficient_balance"),  # InsufficientBalance
    406: (Outcome.OPTED_OUT, "blocked_by_user"),  # UserInBlacklist
    407: (Outcome.RETRY, "could_not_route"),  # CouldNotRoute: a few retries
    409: (Outcome.PERMANENT, "do_not_disturb"),  # DoNotDisturbRejection
    500: (Outcome.RETRY, "provider_error"),  # InternalServerError
    501: (Outcome.RETRY, "provider_error"),  # GatewayError
    502: (Outcome.RETRY, "rejected_by_gateway"),  # RejectedByGateway: a few retries, then fail
}

# Whole-request answers with no per-recipient list
EMPTY_RECIPIENTS_MESSAGES: dict[str, tuple[Outcome, str]] = {
    "InvalidSenderId": (Outcome.STOP_LINE, "invalid_sender_id"),
    "InsufficientBalance": (Outcome.STOP_LINE, "insufficient_balance"),
    "RiskHold": (Outcome.STOP_LINE, "account_on_hold"),
}


class _HTTPError(Exception):
    def __init__(self, status: int, text: str):
        super().__init__(status)
        self.status, self.text = status, text


class _SMSService(SMSService):
    """The SDK's SMS service on our base URL and a connection pool; non-2xx keeps its status."""

    def __init__(self, username: str, api_key: str, api_url: str, pool: urllib3.PoolManager):
        self._api_url, self._pool = api_url, pool
        super().__init__(username, api_key)

    def _init_service(self):
        super()._init_service()
        self._baseUrl = self._api_url + "/version1"

    def _make_request(self, url, method, headers, data, params, callback=None, timeout=TIMEOUT):
        if params:
            url = f"{url}?{urlencode(params)}"
        headers = dict(headers)
        body = None
        if data:  # a form, as `requests` would encode the SDK's dict
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        answer = self._pool.request(
            method,
            url,
            body=body,
            headers=headers,
            retries=False,
            timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
        )
        text = answer.data.decode("utf-8", "replace")
        if not 200 <= answer.status < 300:
            raise _HTTPError(answer.status, text)
        if (answer.headers.get("content-type") or "").split(";")[0].strip() == "application/json":
            try:
                return json.loads(text)
            except ValueError:
                return text
        return text


class AfricasTalkingGateway:
    name = "africastalking"

    def __init__(
        self,
        username: str,
        api_key: str,
        api_url: str,
        sender_id: str | None = None,
        pool_size: int = 64,
        timeout: tuple[float, float] = TIMEOUT,
    ):
        pool = urllib3.PoolManager(num_pools=4, maxsize=pool_size, retries=False)
        self._sms = _SMSService(username, api_key, api_url.rstrip("/"), pool)
        self._sender_id = sender_id
        self._timeout = timeout

    def send(self, text: str, phones: list[str]) -> list[SendResult]:
        try:
            answer = self._sms.send(text, phones, sender_id=self._sender_id, timeout=self._timeout)
        except ReadTimeoutError:
            return _all(phones, Outcome.UNKNOWN, "read_timeout")  # AT may have accepted it
        except ConnectTimeoutError:  # also refused and unresolvable: no connection was ever made
            return _all(phones, Outcome.RETRY, "connection_error")
        except HTTPError:  # the connection broke with the request on it: AT may have it
            return _all(phones, Outcome.UNKNOWN, "connection_lost")
        except _HTTPError as error:
            return _all(phones, *classify_http_error(error.status, error.text))
        except ValueError as error:  # the SDK refuses a malformed number before sending
            log.warning("sdk refused the request: %s", type(error).__name__)
            return _all(phones, Outcome.PERMANENT, "invalid_phone_number")
        return parse_answer(answer, phones)


def classify_http_error(status: int, text: str) -> tuple[Outcome, str]:
    if status == 401:
        return Outcome.STOP_LINE, "bad_credentials"
    if status == 429:
        return Outcome.RETRY, "throttled"
    if status >= 500:
        return Outcome.RETRY, "provider_unavailable"
    return Outcome.STOP_LINE, f"http_{status}"  # a request AT will not take: stop, do not hammer


def parse_answer(answer, phones: list[str]) -> list[SendResult]:
    if not isinstance(answer, dict):
        return _all(phones, Outcome.UNKNOWN, "unreadable_answer")  # 2xx but not JSON: may be sent
    data = answer.get("SMSMessageData") or {}
    recipients = data.get("Recipients") or []
    if not recipients:
        empty, why = EMPTY_RECIPIENTS_MESSAGES.get(data.get("Message", ""), (Outcome.RETRY, "no_recipients"))
        return _all(phones, empty, why)
    by_number = {r.get("number"): r for r in recipients}
    results = []
    for phone in phones:
        recipient = by_number.get(phone)
        if recipient is None:
            results.append(SendResult(phone, Outcome.UNKNOWN, "missing_from_answer"))
            continue
        raw_id = recipient.get("messageId")
        message_id = raw_id if isinstance(raw_id, str) and raw_id.strip() not in ("", "None", "none", "null") else None
        outcome: Outcome
        reason: str | None
        code = _code(recipient.get("statusCode"))
        if message_id is not None:
            outcome, reason = Outcome.ACCEPTED, None  # AT took it: never sent again, whatever its code says
        elif code is not None and code in RECIPIENT_CODES:
            outcome, reason = RECIPIENT_CODES[code]
        else:
            outcome, reason = Outcome.RETRY, "unknown_status"
        results.append(
            SendResult(
                phone,
                outcome,
                reason,
                provider_message_id=message_id if outcome is Outcome.ACCEPTED else None,
                cost=recipient.get("cost") if outcome is Outcome.ACCEPTED else None,
            )
        )
    return results


def _code(raw) -> int | None:
    """A recipient's statusCode as a number, whether AT sent 101 or "101"."""
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def _all(phones: list[str], outcome: Outcome, reason: str) -> list[SendResult]:
    return [SendResult(phone, outcome, reason) for phone in phones]


# Delivery report `status` → our status (reference: "Delivery reports")
REPORT_STATUSES: dict[str, tuple[str, str | None]] = {
    "Sent": ("in_flight", None),
    "Submitted": ("in_flight", None),
    "Buffered": ("in_flight", None),
    "AbsentSubscriber": ("in_flight", "absent_subscriber"),  # phone off: a later attempt may work
    "Success": ("delivered", None),
    "Rejected": ("failed", "rejected"),
    "Failed": ("failed", "failed"),
    "Expired": ("failed", "expired_by_network"),  # dropped by the telco's filter: no blind retry
}
# `failureReason` → ours
FAILURE_REASONS: dict[str, str] = {
    "UserInBlackList": "opted_out",
    "UserInBlacklist": "opted_out",
    "UserIsInactive": "inactive_number",
    "UserAccountSuspended": "account_suspended",
    "NotNetworkSubscriber": "not_network_subscriber",
    "NotNetworkSubcriber": "not_network_subscriber",
    "UserDoesNotExist": "no_such_number",
    "DeliveryFailure": "delivery_failure",
    "InsufficientCredit": "insufficient_credit",
    "InvalidLinkId": "invalid_link_id",
    "UserNotSubscribedToProduct": "not_subscribed",
    "DoNotDisturbRejection": "do_not_disturb",
}


NO_REASON = ("none", "null", "nil", "-")  # what some networks put in failureReason when nothing failed


def parse_sms_date(raw) -> datetime | None:
    """An incoming SMS's `date`, as AT sends it (`2017-05-03T06:04:45Z` or `2017-05-03 06:04:45`,
    both UTC), or None when it is missing or unreadable."""
    text = str(raw or "").strip().replace("T", " ").removesuffix("Z")
    try:
        moment = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC)


def parse_delivery_report(form) -> DeliveryUpdate:
    """Raises ValueError naming the missing field; unknown statuses are kept, as in flight."""
    message_id, provider_status = (form.get("id") or "").strip(), (form.get("status") or "").strip()
    if not message_id:
        raise ValueError("id")
    if not provider_status:
        raise ValueError("status")
    status, reason = REPORT_STATUSES.get(provider_status, ("in_flight", "unrecognised_status"))
    failure = (form.get("failureReason") or "").strip()
    if failure and failure.lower() not in NO_REASON:
        reason = FAILURE_REASONS.get(failure, "delivery_failure")
    try:  # as we store numbers, or none (a report is matched by its id first)
        phone = normalise_phone(form.get("phoneNumber"))
    except PhoneError:
        phone = None
    return DeliveryUpdate(message_id[:64], status, reason, phone, provider_status[:32])


# -- the callbacks, read into our records ----------------------------------------------------------


def parse_incoming_sms(form) -> IncomingSms:
    """AT's incoming-SMS callback. Raises `Malformed` naming a missing `id` or `text` (AT always
    sends both; `text` may be empty). A missing `from` is a sender we cannot use, not an error."""
    provider_id = (form.get("id") or "").strip()
    if not provider_id or len(provider_id) > 64:
        raise Malformed("id")
    if form.get("text") is None:
        raise Malformed("text")
    return IncomingSms(
        provider_id,
        (form.get("from") or "").strip(),
        form["text"],
        form.get("to") or None,
        form.get("linkId") or None,
        form.get("networkCode") or None,
        parse_sms_date(form.get("date")),
    )


def parse_ussd_step(form) -> UssdStep:
    """AT's USSD callback: `text` holds every input so far joined by `*` (empty at first)."""
    text = form.get("text") or ""
    return UssdStep(
        (form.get("sessionId") or "").strip(),
        form.get("phoneNumber") or "",
        tuple(text.split("*")) if text else (),
        form.get("serviceCode") or None,
        form.get("networkCode") or None,
    )


def render_ussd(reply) -> str:
    """A screen as AT takes it: `CON ` while the session goes on, `END ` on its last screen."""
    return ("END " if reply.ends else "CON ") + reply.text


def is_ussd_answer(text: str) -> bool:
    """Whether AT can take `text` as a USSD answer (it begins `CON ` or `END `)."""
    return text.startswith(("CON ", "END "))


def parse_session_end(form) -> UssdSessionEnd:
    """AT's end-of-session notice. Raises `Malformed` without a `sessionId`."""
    session_id = (form.get("sessionId") or "").strip()
    if not session_id:
        raise Malformed("sessionId")
    try:
        phone = normalise_phone(form.get("phoneNumber"))
    except PhoneError:
        phone = None
    return UssdSessionEnd(
        session_id,
        phone,
        (form.get("status") or "unknown").strip(),
        form.get("serviceCode") or None,
        form.get("networkCode") or None,
        _count(form.get("durationInMillis")),
        _count(form.get("hopsCount")),
        form.get("errorMessage") or None,
    )


def _count(raw) -> int | None:
    """A count AT sent, or None when it is not one a column can hold (junk, NaN, huge)."""
    try:
        value = int(float(raw))
    except (TypeError, ValueError, OverflowError):
        return None
    return value if -(2**31) <= value < 2**31 else None


def parse_opt_out(form) -> OptOutNotice:
    """AT's bulk-SMS opt-out notice."""
    return OptOutNotice(form.get("phoneNumber") or "", form.get("senderId") or None)
