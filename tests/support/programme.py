"""A small invented programme for conversation tests: two clinics and a Mentor Mother."""

from __future__ import annotations

from dataclasses import dataclass

from sms_service.models import Client, Facility, MentorMother


@dataclass
class Programme:
    session: object
    mwangaza: Facility
    tumaini: Facility
    mentor: MentorMother

    def client(self, name: str, phone: str, language: str = "sw", **kw) -> Client:
        """A client of Mwangaza, on the Mentor Mother's list (`external_id` from the name)."""
        client = Client(
            external_id=f"C-{name}",
            first_name=name,
            phone=phone,
            facility=self.mwangaza,
            mentor_mother=self.mentor,
            language=language,
            **kw,
        )
        self.session.add(client)
        self.session.flush()
        return client


def small_programme(session, mentor_phone: str = "+254700000900", mentor_language: str = "sw") -> Programme:
    mwangaza = Facility(code="F1", name="Mwangaza", landmark="the market", hours="Mon-Fri 8-5", phone="+254700000800")
    tumaini = Facility(code="F2", name="Tumaini", landmark="the church", hours="Mon-Sat 8-4", phone="+254700000801")
    mentor = MentorMother(code="MM1", name="Zawadi", phone=mentor_phone, facility=mwangaza, language=mentor_language)
    session.add_all([mwangaza, tumaini, mentor])
    return Programme(session, mwangaza, tumaini, mentor)
