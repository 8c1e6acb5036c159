"""Local-only tools: the outbox, SES's mailbox simulator, and dev routes.

Installed by `app.py` only when the stage is `local`. They live outside `chalicelib/`, so the
Lambda bundle (`chalice package` ships app.py and chalicelib/ only) never carries them.
"""

import os

TEMPLATES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


def install(app) -> None:
    """Capture outgoing mail into the outbox, simulate SES's events, bulk sends and domain
    verification, and add the /dev pages."""
    from chalicelib import aws
    from chalicelib.config import settings
    from devstack.devtools.mailbox_simulator import MailboxSimulator
    from devstack.devtools.outbox import Outbox, install_outbox_capture
    from devstack.devtools.routes import dev
    from devstack.devtools.ses_bulk import install_bulk_send_emulation

    published = _published_event_types()

    def capture(session):
        from devstack.devtools.ses_identities import install_identity_emulation

        simulator = MailboxSimulator(aws.sns, settings().ses_events_topic_name, published)
        install_outbox_capture(session, Outbox(settings().outbox_path), after_send=simulator)
        install_bulk_send_emulation(session, aws.sesv2)
        install_identity_emulation(session, local_verifications())

    aws.on_new_session(capture)
    _add_dev_templates()
    app.register_blueprint(dev, url_prefix="/dev")


def _add_dev_templates() -> None:
    """The /dev pages' templates, found after the app's own (they extend its layouts)."""
    import jinja2

    from chalicelib.template_environments import pages

    environment = pages()
    if not isinstance(environment.loader, jinja2.ChoiceLoader):
        environment.loader = jinja2.ChoiceLoader([environment.loader, jinja2.FileSystemLoader(TEMPLATES_DIR)])


def local_verifications():
    """The sending domains marked verified by hand in the local stack (there is no DNS here)."""
    import os

    from chalicelib.config import settings
    from devstack.devtools.ses_identities import LocalVerifications

    return LocalVerifications(os.path.join(settings().local_state_dir, "ses-verified-domains.json"))


def _published_event_types():
    """What each configuration set publishes, from infra/template.json as deployed (None: everything)."""
    import json
    import os

    from devstack.devtools.mailbox_simulator import published_event_types

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "infra",
                        "template.json")
    try:
        with open(path, encoding="utf-8") as file:
            return published_event_types(json.load(file))
    except FileNotFoundError:
        return None
