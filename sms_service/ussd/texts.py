"""Every USSD text, English and Kiswahili; ASCII only (what every handset shows). Neutral
wording: "clinic visit", never why. Checked by `sms-service ussd check`."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "greeting": {"en": "Hello {name}", "sw": "Habari {name}"},
    "next_visit": {"en": "1. My next visit", "sw": "1. Miadi yangu ijayo"},
    "my_clinic": {"en": "2. My clinic", "sw": "2. Kliniki yangu"},
    "change_date": {"en": "3. Change a visit date", "sw": "3. Badilisha tarehe ya miadi"},
    "call_me": {"en": "4. Call me back", "sw": "4. Nipigie simu"},
    "language": {"en": "5. Language / Lugha", "sw": "5. Lugha / Language"},
    "stop": {"en": "6. Stop messages", "sw": "6. Sitisha ujumbe"},
    "start": {"en": "6. Start messages", "sw": "6. Anzisha ujumbe"},
    "back": {"en": "0. Back", "sw": "0. Rudi"},
    "home": {"en": "00. Home", "sw": "00. Mwanzo"},
    "more": {"en": "98. More", "sw": "98. Zaidi"},
    "invalid": {"en": "Invalid choice", "sw": "Chaguo si sahihi"},
    "visit": {"en": "Next visit: {date}{time}, {clinic}.", "sw": "Miadi ijayo: {date}{time}, {clinic}."},
    "infant_visit": {
        "en": "{infant}'s next visit: {date}{time}, {clinic}.",
        "sw": "Miadi ijayo ya {infant}: {date}{time}, {clinic}.",
    },
    "no_visit": {
        "en": "No visit is booked. Your Mentor Mother will contact you.",
        "sw": "Hakuna miadi iliyopangwa. Mama Mshauri wako atawasiliana nawe.",
    },
    "clinic": {
        "en": "{clinic}, near {landmark}. Open {hours}. Tel {phone}",
        "sw": "{clinic}, karibu na {landmark}. Saa {hours}. Simu {phone}",
    },
    "new_clinic": {
        "en": "From {date} go to {clinic}, near {landmark}. Open {hours}. Tel {phone}",
        "sw": "Kuanzia {date} nenda {clinic}, karibu na {landmark}. Saa {hours}. Simu {phone}",
    },
    "new_clinic_lead": {"en": "From {date} go to {clinic}.", "sw": "Kuanzia {date} nenda {clinic}."},
    "choose_clinic": {"en": "From {date} choose your clinic:", "sw": "Kuanzia {date} chagua kliniki yako:"},
    "noted_choice": {
        "en": "Thank you. From {date} your clinic is {clinic}.",
        "sw": "Asante. Kuanzia {date} kliniki yako ni {clinic}.",
    },
    "i_know": {"en": "1. I know my new clinic", "sw": "1. Naijua kliniki mpya"},
    "arrived": {"en": "2. I have arrived", "sw": "2. Nimefika"},
    "noted_know": {
        "en": "Thank you. We have noted that you know your new clinic.",
        "sw": "Asante. Tumeandika kwamba unaijua kliniki yako mpya.",
    },
    "noted_arrived": {
        "en": "Welcome to {clinic}. Thank you for telling us.",
        "sw": "Karibu {clinic}. Asante kwa kutuambia.",
    },
    "which_visit": {"en": "Which visit?", "sw": "Miadi ipi?"},
    "why_change": {
        "en": "Why?\n1. Travel\n2. Work\n3. Not well\n4. Other",
        "sw": "Kwa nini?\n1. Safari\n2. Kazi\n3. Sijisikii vizuri\n4. Sababu nyingine",
    },
    "change_noted": {
        "en": "Your Mentor Mother will call you to agree a new date.",
        "sw": "Mama Mshauri wako atakupigia kupanga tarehe mpya.",
    },
    "call_noted": {"en": "Your Mentor Mother will call you soon.", "sw": "Mama Mshauri wako atakupigia hivi karibuni."},
    "choose_language": {
        "en": "Choose language\n1. English\n2. Kiswahili",
        "sw": "Chagua lugha\n1. English\n2. Kiswahili",
    },
    "language_set": {"en": "You will now get messages in English.", "sw": "Sasa utapokea ujumbe kwa Kiswahili."},
    "why_stop": {
        "en": "Why stop?\n1. No longer needed\n2. I moved\n3. Too many messages\n4. Other",
        "sw": "Kwa nini?\n1. Sihitaji tena\n2. Nimehama\n3. Ujumbe mwingi\n4. Sababu nyingine",
    },
    "stopped": {
        "en": "You will get no more messages. Dial again to start them.",
        "sw": "Hutapokea ujumbe zaidi. Piga tena kuuanzisha.",
    },
    "start_confirm": {"en": "Get clinic visit messages again?\n1. Yes", "sw": "Upokee tena ujumbe wa miadi?\n1. Ndio"},
    "started": {
        "en": "Welcome back. You will get your clinic visit messages again.",
        "sw": "Karibu tena. Utapokea tena ujumbe wa miadi yako.",
    },
    "blocked": {
        "en": "Your network is blocking our messages. Your Mentor Mother will help you.",
        "sw": "Mtandao wako unazuia ujumbe wetu. Mama Mshauri wako atakusaidia.",
    },
}
# Before we know who is calling: both languages on one screen
WHICH = "Choose / Chagua:"
JOIN = (
    "This number is not registered. To join, visit a clinic or a Mentor Mother. "
    "Nambari hii haijasajiliwa. Tembelea kliniki au Mama Mshauri."
)
SORRY = "Sorry, the service is not available now. Try later. Samahani, huduma haipatikani sasa."
