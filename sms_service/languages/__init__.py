"""Every text a person reads, as gettext catalogues (`catalogues/<language>/LC_MESSAGES/`):

- `messages.po`: the dashboard (Flask-Babel), extracted from the pages and code by
  `pybabel extract -F babel.cfg`;
- `sms.po` and `ussd.po`: the Kiswahili of the SMS catalogue and the USSD texts, whose English,
  budgets and checks stay in code (`texts.catalogue`, `ussd.texts`).

`compiled` turns them into `.mo` files when they are newer than their `.mo` (at the first start
after an install or an edit), `texts` reads the SMS and USSD Kiswahili from them, `dashboard`
keeps `messages.po` up with the code, and `review` is the translator's round trip (export, then a
reviewed file checked and taken in)."""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for extraction (`babel.cfg`); it is translated where it is shown."""
    return message


class Said(str):
    """A message for a person (a refusal, a problem) that is English where a string is wanted
    (the API, the logs, the tests) and keeps its gettext message and values, so a page says it in
    its reader's language (`web.labels.said`). A value may be a `Said` itself ("English")."""

    message: str
    values: dict

    def __new__(cls, message: str, **values) -> Said:
        made = super().__new__(cls, message % values if values else message.replace("%%", "%"))
        made.message, made.values = message, values
        return made
