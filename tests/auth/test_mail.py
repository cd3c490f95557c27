"""Mail goes over SMTP when MAIL_SERVER is set, and to the log when it is not."""

from __future__ import annotations

import logging

from app import mail


class FakeSMTP:
    sessions: list[FakeSMTP] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.address = (host, port)
        self.calls: list[tuple] = []
        self.sent = []
        FakeSMTP.sessions.append(self)

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc) -> None:
        self.calls.append(("quit",))

    def starttls(self) -> None:
        self.calls.append(("starttls",))

    def login(self, user: str, password: str) -> None:
        self.calls.append(("login", user, password))

    def send_message(self, message) -> None:
        self.calls.append(("send",))
        self.sent.append(message)


def test_sends_over_smtp_with_tls_and_login(app, monkeypatch):
    FakeSMTP.sessions = []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config.update(
        MAIL_SERVER="smtp.example.org",
        MAIL_PORT=2525,
        MAIL_USE_TLS=True,
        MAIL_USERNAME="sala",
        MAIL_PASSWORD="secret",
        MAIL_FROM="Sala <sala@example.org>",
    )

    mail.send_mail("somchai@example.org", "ทดสอบ", "สวัสดี")

    (session,) = FakeSMTP.sessions
    assert session.address == ("smtp.example.org", 2525)
    assert session.calls == [("starttls",), ("login", "sala", "secret"), ("send",), ("quit",)]
    (message,) = session.sent
    assert message["To"] == "somchai@example.org"
    assert message["From"] == "Sala <sala@example.org>"
    assert message["Subject"] == "ทดสอบ"
    assert message.get_content().strip() == "สวัสดี"


def test_without_a_server_the_message_is_logged_not_sent(app, monkeypatch, caplog):
    FakeSMTP.sessions = []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    caplog.set_level(logging.INFO, logger="app.mail")

    mail.send_mail("somchai@example.org", "ทดสอบ", "สวัสดี")

    assert FakeSMTP.sessions == []
    assert "somchai@example.org" in caplog.text
    assert "สวัสดี" in caplog.text
