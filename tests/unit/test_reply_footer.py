"""The mailbox a ticket's mail goes from, and what goes below a reply (domain/config.py, domain/reply_footer.py)."""

from __future__ import annotations

from helpdesk.domain.config import Agent, ConfigSnapshot, Mailbox, Queue, TeamSettings
from helpdesk.domain.reply_footer import reply_signature, with_link_line, with_signature


def _cfg(**settings: object) -> ConfigSnapshot:
    return ConfigSnapshot(
        settings=TeamSettings.model_validate({"default_queue": "support", **settings}),
        mailboxes=[
            Mailbox(id="sales", address="sales@example.com", default_queue="sales", signature="Vertrieb"),
            Mailbox(id="support", address="support@example.com", default_queue="support"),
            Mailbox(id="info", address="info@example.com"),
        ],
        queues=[Queue(id="support", name="Support"), Queue(id="sales", name="Vertrieb"), Queue(id="x", name="X")],
        agents=[Agent(username="anna", email="anna@example.com", name="Anna", signature="Gruß, {AGENT}")],
    )


def test_the_sending_mailbox_is_never_just_the_first_one() -> None:
    cfg = _cfg()
    assert cfg.sending_mailbox("info", "sales").id == "info"  # type: ignore[union-attr]  # the ticket's own
    assert cfg.sending_mailbox(None, "sales").id == "sales"  # type: ignore[union-attr]  # files into its queue
    assert cfg.sending_mailbox(None, "x").id == "support"  # type: ignore[union-attr]  # files into the default queue
    assert cfg.sending_mailbox(None, None).id == "support"  # type: ignore[union-attr]
    chosen = _cfg(default_mailbox="info")
    assert chosen.sending_mailbox(None, "x").id == "info"  # type: ignore[union-attr]  # the team's default
    chosen.queues[2] = Queue(id="x", name="X", mailbox="sales")
    assert chosen.sending_mailbox(None, "x").id == "sales"  # type: ignore[union-attr]  # the queue's own
    nothing = ConfigSnapshot(mailboxes=[Mailbox(id="a", address="a@example.com"), Mailbox(id="b", address="b@x.de")])
    assert nothing.sending_mailbox(None, None) is None
    single = ConfigSnapshot(mailboxes=[Mailbox(id="a", address="a@example.com")])
    assert single.sending_mailbox(None, "x").id == "a"  # type: ignore[union-attr]


def test_the_signature_is_the_agents_own_then_the_mailboxs_else_the_teams() -> None:
    cfg = _cfg(signature="Das Team")
    sales, support = cfg.mailboxes[0], cfg.mailboxes[1]
    assert reply_signature(cfg, sales, "anna") == "Gruß, {AGENT}\n\nVertrieb"
    assert reply_signature(cfg, support, "anna") == "Gruß, {AGENT}\n\nDas Team"
    assert reply_signature(cfg, support, "bob") == "Das Team"


def test_a_signature_is_added_once() -> None:
    values = {"AGENT": "Anna <A&B>"}
    text, html = with_signature("Hallo", "<p>Hallo</p>", "Hallo", "Gruß, {AGENT}", values)
    assert text == "Hallo\n\nGruß, Anna <A&B>"
    assert html.endswith('<p class="signature">Gruß, Anna &lt;A&amp;B&gt;</p>')
    # already there, as typed (unrendered) or as sent (rendered, other line breaks): unchanged
    assert with_signature("x\nGruß, {AGENT}", "h", "x\nGruß, {AGENT}", "Gruß, {AGENT}", values)[0].count("Gruß") == 1
    assert with_signature("x Gruß,\n Anna <A&B>", "h", "x", "Gruß, {AGENT}", values) == ("x Gruß,\n Anna <A&B>", "h")
    assert with_signature("x", "h", "x", "  ", values) == ("x", "h")


def test_the_link_line_is_the_settings_text_with_a_clickable_link() -> None:
    link = "https://h.example/#/t/abc"
    text, html = with_link_line("Hallo", "<p>Hallo</p>", "Ihr Ticket <online>: {LINK}", link)
    assert text == f"Hallo\n\nIhr Ticket <online>: {link}"
    assert html.endswith(f'<p style="color:#666">Ihr Ticket &lt;online&gt;: <a href="{link}">{link}</a></p>')
    assert with_link_line("Hallo", "h", "Online:", link)[0].endswith(f"Online: {link}")  # no {LINK}: it follows
    assert with_link_line("Hallo", "h", "", link) == ("Hallo", "h")  # no text: no line
    assert with_link_line(f"Hier: {link}", "h", "Online: {LINK}", link) == (f"Hier: {link}", "h")  # placed already
