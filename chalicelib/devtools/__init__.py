"""Local-only tools: the outbox, SES's mailbox simulator, and dev routes.

Installed by `app.py` only when the stage is `local`; the packaged template never contains them.
"""


def install(app) -> None:
    """Capture outgoing mail into the outbox, simulate SES's events, bulk sends and domain
    verification, and add the /dev pages."""
    from chalicelib import aws
    from chalicelib.config import settings
    from chalicelib.devtools.mailbox_simulator import MailboxSimulator
    from chalicelib.devtools.outbox import Outbox, install_outbox_capture
    from chalicelib.devtools.routes import dev
    from chalicelib.devtools.ses_bulk import install_bulk_send_emulation

    published = _published_event_types()

    def capture(session):
        from chalicelib.devtools.ses_identities import install_identity_emulation

        simulator = MailboxSimulator(aws.sns, settings().ses_events_topic_name, published)
        install_outbox_capture(session, Outbox(settings().outbox_path), after_send=simulator)
        install_bulk_send_emulation(session, aws.sesv2)
        install_identity_emulation(session, local_verifications())

    aws.on_new_session(capture)
    app.register_blueprint(dev, url_prefix="/dev")


def local_verifications():
    """The sending domains marked verified by hand in the local stack (there is no DNS here)."""
    import os

    from chalicelib.config import settings
    from chalicelib.devtools.ses_identities import LocalVerifications

    return LocalVerifications(os.path.join(settings().local_state_dir, "ses-verified-domains.json"))


def _published_event_types():
    """What each configuration set publishes, from infra/template.json as deployed (None: everything)."""
    import json
    import os

    from chalicelib.devtools.mailbox_simulator import published_event_types

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "infra",
                        "template.json")
    try:
        with open(path, encoding="utf-8") as file:
            return published_event_types(json.load(file))
    except FileNotFoundError:
        return None
