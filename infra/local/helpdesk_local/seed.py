"""Configuration and users for the local stack: mailboxes, queues, rules, templates, dev agents.

Everything here goes through the same stores and adapters the API's admin routes use.
"""

from __future__ import annotations

from typing import Any, Literal

from helpdesk.domain.config import (
    Agent,
    Condition,
    LocalizedText,
    Mailbox,
    Queue,
    Rule,
    RuleActions,
    TeamSettings,
    Template,
)
from helpdesk.domain.status import Priority
from helpdesk.store.config_store import ConfigStore

DEV_USERS = {
    "admin": {"password": "Admin-Demo-2026", "email": "admin@example.com", "name": "Anna Admin", "group": "admin"},
    "agent": {"password": "Agent-Demo-2026", "email": "agent@example.com", "name": "Tom Agent", "group": "agent"},
}


def seed_config(store: ConfigStore, domain: str) -> None:
    store.put_settings(TeamSettings(company="Beispiel GmbH", default_queue="support"))
    for queue in (
        Queue(id="support", name="Support", first_response_hours=8),
        Queue(id="sales", name="Vertrieb"),
        Queue(id="billing", name="Buchhaltung", responsible=["admin"], first_response_hours=24),
    ):
        store.put("queue", queue)
    for mailbox in (
        Mailbox(id="support", address=f"support@{domain}", name="Beispiel GmbH Support", default_queue="support"),
        Mailbox(
            id="sales",
            address=f"sales@{domain}",
            name="Beispiel GmbH Vertrieb",
            default_queue="sales",
            default_project="lizenzen-2026",
            autoreply_body=LocalizedText(
                de="Guten Tag {NAME},\n\ndanke für Ihre Anfrage ({TICKET}). Unser Vertrieb meldet sich "
                "innerhalb eines Werktags.\n\nIhr Vertriebsteam",
                en="Hello {NAME},\n\nthank you for your inquiry ({TICKET}). Our sales team will answer "
                "within one business day.\n\nYour sales team",
            ),
        ),
    ):
        store.put("mailbox", mailbox)
    rules: list[dict[str, Any]] = [
        {
            "id": "newsletter-spam",
            "name": "Newsletter in den Papierkorb",
            "order": 10,
            "conditions": [Condition(field="header", header="list-unsubscribe", op="exists")],
            "actions": RuleActions(spam=True, tags=["newsletter"], stop=True),
        },
        {
            "id": "invoices",
            "name": "Rechnungen an die Buchhaltung",
            "order": 20,
            "match": "any",
            "conditions": [
                Condition(field="subject", op="contains", value="rechnung"),
                Condition(field="subject", op="contains", value="invoice"),
            ],
            "actions": RuleActions(queue="billing", tags=["rechnung"]),
        },
        {
            "id": "urgent",
            "name": "Dringend markieren",
            "order": 30,
            "conditions": [Condition(field="subject", op="regex", value=r"\b(dringend|urgent|asap)\b")],
            "actions": RuleActions(priority=Priority.HIGH, prio=True),
        },
    ]
    for rule in rules:
        store.put("rule", Rule(**rule))
    for template in (
        Template(
            id="thanks",
            name="Danke, erledigt",
            language="de",
            subject="",
            body="Guten Tag {NAME},\n\nvielen Dank für Ihre Geduld. Ihr Anliegen ({TICKET}) ist erledigt.\n\n"
            "Mit freundlichen Grüßen\n{AGENT}\n{COMPANY}",
        ),
        Template(
            id="need-info",
            name="Rückfrage",
            language="de",
            body="Guten Tag {NAME},\n\ndamit wir weiterhelfen können, brauchen wir noch: …\n\n"
            "Mit freundlichen Grüßen\n{AGENT}",
        ),
        Template(
            id="thanks-en",
            name="Thanks, done (EN)",
            language="en",
            body="Hello {NAME},\n\nthank you for your patience. Your request ({TICKET}) is resolved.\n\n"
            "Kind regards\n{AGENT}\n{COMPANY}",
        ),
    ):
        store.put("template", template)
    for username, user in DEV_USERS.items():
        role: Literal["admin", "agent"] = "admin" if user["group"] == "admin" else "agent"
        store.put("agent", Agent(username=username, email=user["email"], name=user["name"], role=role))


def create_dev_users(cognito: Any, pool_id: str) -> None:
    for username, user in DEV_USERS.items():
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": user["email"]},
                {"Name": "name", "Value": user["name"]},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=user["password"], Permanent=True
        )
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=user["group"])
