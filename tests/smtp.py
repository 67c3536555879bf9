"""A real SMTP server on localhost for the tests (aiosmtpd), keeping what it receives: the path
a deployment's email takes, settings included."""

from email import message_from_bytes
from email.policy import default

from aiosmtpd.controller import Controller

from tests.servers import free_port


class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def letter_to(self, address):
        """The last message received for `address`, parsed."""
        sent = [e for e in self.envelopes if e.rcpt_tos == [address]]
        assert sent, [e.rcpt_tos for e in self.envelopes]
        return message_from_bytes(sent[-1].original_content, policy=default)


def serving(settings):
    """Start a server and point the site's SMTP settings at it: (inbox, controller to stop)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return inbox, controller
