"""Use case: create an agent — a Cognito user (an invitation with a temporary password goes out by
mail) in the group of their role, and the agent's configuration record.

One home for the admin API's "Agent anlegen" and the first admin ``make deploy`` creates.
"""

from __future__ import annotations

from ..aws.cognito import CognitoAuth
from ..domain.config import Agent
from ..store.config_store import ConfigStore


class AgentExists(Exception):
    """The username is taken (in the configuration; Cognito would refuse it too)."""


def create_agent(
    config: ConfigStore,
    cognito: CognitoAuth,
    agent: Agent,
    *,
    temporary_password: str | None = None,
    actor: str = "system",
) -> Agent:
    if config.snapshot().agent(agent.username):
        raise AgentExists(f"agent {agent.username!r} exists")
    cognito.create_user(agent.username, agent.email, agent.name, agent.role, temporary_password)
    config.put("agent", agent, actor=actor)
    return agent
