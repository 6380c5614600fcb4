"""The naive baseline the issue names: one RQ job per message, one SDK call each, run by RQ's
default forking worker. Deliberately plain: it is what we are measured against."""

import os

import africastalking
from sqlalchemy import create_engine, text


def send_one(message_id: int) -> None:
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.begin() as conn:
        phone, body = conn.execute(
            text("SELECT phone, body FROM outbound_messages WHERE id = :i"), {"i": message_id}
        ).one()
    sms = africastalking.SMSService("sandbox", "bench-key")
    sms._baseUrl = os.environ["AT_API_URL"] + "/version1"
    answer = sms.send(body, [phone])
    message_id_at = answer["SMSMessageData"]["Recipients"][0]["messageId"]
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE outbound_messages SET status = 'sent', provider_message_id = :p WHERE id = :i"),
            {"p": message_id_at, "i": message_id},
        )
    engine.dispose()
