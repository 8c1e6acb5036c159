"""Campaign rendering speed: personalised mails rendered per second on one core.

A realistic newsletter (greeting with a default, three articles, an image, five tracked links,
conditional blocks, a loop over a custom field, preferences and unsubscribe links) is prepared
and compiled once with click and open tracking on, then rendered for a stream of different
contacts, as the sender does per recipient. Rendering is the part of the send path that grows with the list: the whole path has
to reach 2,000 recipients a second per core, so this has to stay far above that.
"""

import json
import os
import sys
import time

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PROJECT_DIR not in sys.path:  # `python bench/run.py` puts bench/, not the project, on the path
    sys.path.insert(0, PROJECT_DIR)

from chalicelib.campaigns.campaign_rendering import compile_campaign  # noqa: E402
from chalicelib.campaigns.template_saving import prepare_template  # noqa: E402
from chalicelib.campaigns.tracking import TrackingLinks, TrackingSigner  # noqa: E402
from sizes import size  # noqa: E402

MEASURE_SECONDS = size(2.0, smoke=0.01)  # at least one pass over the contacts, however short
WARM_UP_RENDERS = size(200, smoke=10)
CONTACTS = size(1_000, smoke=20)
FIRST_NAMES = ("Anna", "Bram", "Chloë", "Daan", "", "Finn", "Julia", "Lucas", "Sanne", "Zoë")
CITIES = ("Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen", "Tilburg")

ARTICLES = (
    ("Nieuw: het appel-kaneelbrood", ("Met appels uit de Betuwe en een vleugje kaneel, elke ochtend vers uit de "
     "oven."), "https://demolen.nl/nieuws/appel-kaneelbrood"),
    ("Workshop taarten versieren", ("Leer in twee uur een verjaardagstaart versieren, met koffie en een stuk taart "
     "toe."), "https://demolen.nl/nieuws/workshop"),
    ("Onze bakkers op de markt", ("Elke zaterdag staan we op de markt in het centrum; kom proeven van het brood "
     "van de week."), "https://demolen.nl/nieuws/markt"),
)
ARTICLE_HTML = """
  <tr><td>
    <h2>{title}</h2>
    <p>{summary}</p>
    <p><a class="button" href="{url}">Lees verder</a></p>
  </td></tr>"""

NEWSLETTER_HTML = """<!DOCTYPE html>
<html><head><title>Nieuws van Bakkerij De Molen</title>
<style>
  .wrapper { width: 600px; background: #ffffff; }
  h1 { font-family: Georgia, serif; font-size: 26px; color: #3b2a1a; }
  h2 { font-family: Georgia, serif; font-size: 20px; color: #3b2a1a; margin: 0 0 8px; }
  p, td { font-family: Arial, sans-serif; font-size: 15px; line-height: 22px; color: #333333; }
  .button { background: #b5651d; color: #ffffff; padding: 10px 18px; text-decoration: none; }
  .muted { color: #888888; font-size: 12px; }
</style></head>
<body>
<table class="wrapper" role="presentation" cellpadding="0" cellspacing="0" align="center"><tbody>
  <tr><td><a href="https://demolen.nl/?utm_source=nieuwsbrief"><img src="https://cdn.demolen.nl/logo.png"
      alt="De Molen" width="200" height="60"></a></td></tr>
  <tr><td>
    <h1>Hallo {{ contact.first_name | default("lezer") }},</h1>
    <p>Het is weer herfst in {{ contact.city | default("Nederland") }}, en dat ruik je in onze winkels.
       Dit zijn de nieuwtjes van deze maand.</p>
  </td></tr>
""" + "".join(ARTICLE_HTML.format(title=title, summary=summary, url=url) for title, summary, url in ARTICLES) + """
  <tr><td>
    {% if contact.fields.interesses %}<p>Omdat je van
      {% for interesse in contact.fields.interesses %}{{ interesse }}{% if not loop.last %}, {% endif %}{% endfor %}
      houdt: bestel je taart voor het weekend <a href="https://demolen.nl/bestellen">online</a>.</p>{% endif %}
    {% if contact.fields.klantnummer %}<p>Je klantnummer: {{ contact.fields.klantnummer }}.</p>{% endif %}
    <p class="muted">Je krijgt deze mail omdat je je aanmeldde op demolen.nl.
       <a href="{{ preferences_url }}">Voorkeuren</a> &middot; <a href="{{ unsubscribe_url }}">Afmelden</a></p>
  </td></tr>
</tbody></table>
</body></html>
"""
INTERESTS = (["brood", "taart"], ["koekjes"], [], ["brood", "gebak", "workshops"])


def contacts(count: int = CONTACTS) -> list[dict]:
    return [{"contact_id": f"01HZX{number:08d}", "email": f"klant{number}@example.nl",
             "first_name": FIRST_NAMES[number % len(FIRST_NAMES)], "last_name": "Jansen", "language": "nl",
             "fields": {"city": CITIES[number % len(CITIES)],
                        "interesses": INTERESTS[number % len(INTERESTS)],
                        **({"klantnummer": f"K{number:06d}"} if number % 3 else {})}}
            for number in range(count)]


def measure_render_per_s(seconds: float = MEASURE_SECONDS) -> float:
    """Mails (subject, HTML and text) rendered per second, on one core, tracking on."""
    prepared = prepare_template(NEWSLETTER_HTML, None, "{{ contact.first_name | default('Hallo') }}, de herfst is er")
    tracking = TrackingLinks(TrackingSigner(b"bench-key-" * 4), "https://t.mailexpert.nl", "01HZXCAMPAIGN",
                             "01HZXACCOUNT", prepared.links)
    campaign = compile_campaign(prepared, tracking=tracking)
    people = contacts()
    extras = [{"unsubscribe_url": f"https://mailexpert.nl/u/{person['contact_id']}",
               "preferences_url": f"https://mailexpert.nl/p/{person['contact_id']}"}
              for person in people]
    for number in range(WARM_UP_RENDERS):
        campaign.render(people[number % CONTACTS], extras[number % CONTACTS])
    rendered, started = 0, time.perf_counter()
    deadline = started + seconds
    while not rendered or time.perf_counter() < deadline:
        for number in range(CONTACTS):
            campaign.render(people[number], extras[number])
        rendered += CONTACTS
    per_second = rendered / (time.perf_counter() - started)
    print(f"  render_per_s: {rendered} mails, {len(prepared.links)} tracked links each: {per_second:,.0f} mails/s")
    return per_second


if __name__ == "__main__":
    print(json.dumps({"render_per_s": measure_render_per_s()}))
