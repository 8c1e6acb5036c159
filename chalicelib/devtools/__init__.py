"""Local-only tools: the outbox, SES's mailbox simulator, and dev routes.

Installed by `app.py` only when the stage is `local`; the packaged template never contains them.
"""


def install(app) -> None:
    """Capture outgoing mail into the outbox, simulate SES's events, and add the /dev pages."""
    from chalicelib import aws
    from chalicelib.config import settings
    from chalicelib.devtools.mailbox_simulator import MailboxSimulator
    from chalicelib.devtools.outbox import Outbox, install_outbox_capture
    from chalicelib.devtools.routes import dev

    def capture(session):
        simulator = MailboxSimulator(aws.sns, settings().ses_events_topic_name)
        install_outbox_capture(session, Outbox(settings().outbox_path), after_send=simulator)

    aws.on_new_session(capture)
    app.register_blueprint(dev, url_prefix="/dev")
