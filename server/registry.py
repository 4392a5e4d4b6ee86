"""The registry: everything rooms add to the shell, handed to each room's `setup(registry)` in room order.

The shell knows no room by name. The composition root (the `afterglow` package) builds one Registry by calling
`setup` of the shell and of each room, then builds the web app, the command line or the database configuration
from it. Nothing is registered as a side effect of importing a module: a room's services behave the same whether
or not its routes module was ever imported.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

from server.models import Clinic, Role, User
from server.panels import Panels

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from server.actor import Actor
    from server.audit import Action
    from server.mail import Rendered
    from server.policy import Rule
    from server.settings import Settings

BadgeProvider = Callable[["Actor"], Awaitable[dict[str, int]]]
Command = Callable[["Settings", argparse.Namespace], Awaitable[int]]
DemoLoader = Callable[["Actor", dict[str, Clinic], dict[str, User]], Awaitable[list[str]]]
# Renders an outbox message of one kind from its payload at delivery (None: its cause is gone, nothing to send).
MessageRenderer = Callable[["Settings", dict[str, Any]], Awaitable["Rendered | None"]]
# Queues the messages that time has made due (a prompt falling due, a daily digest); run before each delivery.
Producer = Callable[["Settings", datetime], Awaitable[int]]


@dataclass(frozen=True)
class MessageKind:
    render: MessageRenderer
    topic: str  # "account" (never turned off, no quiet hours) or a registered reminder topic


@dataclass(frozen=True)
class Topic:
    """A kind of reminder a person can turn off on their reminders page (server/notify_routes.py)."""

    name: str
    label: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation for one role; `badge` names a count a badge provider returns."""

    role: Role
    label: str
    route: str
    position: int  # links are shown in this order, whichever room added them
    badge: str = ""
    badge_label: str = ""
    icon: str = ""  # templates/icons/<icon>.svg, drawn above the label in the phone tab bar (patients' links)


@dataclass(frozen=True)
class CommandSpec:
    help: str
    run: Command
    arguments: Callable[[argparse.ArgumentParser], None] | None = None


@dataclass(frozen=True)
class MountSpec:
    """A room's route modules (each with a `routes` list), imported only when the web app is built: the command
    line never imports them."""

    name: str
    modules: tuple[str, ...]

    def routes(self) -> list[BaseRoute]:
        return [r for module in self.modules for r in importlib.import_module(module).routes]


@dataclass
class Registry:
    rooms: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    mounts: list[MountSpec] = field(default_factory=list)
    panels: dict[str, Panels] = field(default_factory=dict)
    nav: list[NavEntry] = field(default_factory=list)
    badges: list[BadgeProvider] = field(default_factory=list)
    homes: dict[Role, str] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    commands: dict[str, CommandSpec] = field(default_factory=dict)
    demo_loaders: list[DemoLoader] = field(default_factory=list)
    messages: dict[str, MessageKind] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    producers: list[Producer] = field(default_factory=list)
    # Background work a room runs while the app serves: each an async context manager factory (settings, registry),
    # entered in the app's lifespan after the database is up (interop's export worker).
    workers: list[Callable[..., AbstractAsyncContextManager[None]]] = field(default_factory=list)
    # Whether a clinic asks its staff to use two factors (server/gate.py); the care room's clinic settings answer.
    staff_two_factor: Callable[[Clinic], bool] = lambda clinic: False

    def room(
        self, name: str, *, models: str | None, routes: Sequence[str] = (), access: ModuleType | None = None
    ) -> None:
        """Declare a room: its name, its models module (None: a room that keeps no tables of its own and reads the
        others'), its route modules (mounted together under the room's name) and the module whose constants are its
        policy rules and audit actions."""
        if name in self.rooms:
            raise ValueError(f"room {name!r} is set up twice")
        self.rooms.append(name)
        if models is not None:
            self.models.append(models)
        if routes:
            self.mounts.append(MountSpec(name, tuple(routes)))
        if access is not None:
            # Imported here: the audit log and the policy need the actor, which carries this registry.
            from server.audit import actions_in
            from server.policy import rules_in

            self.add_rules(rules_in(access))
            self.add_actions(actions_in(access))

    def add_rules(self, rules: Iterable[Rule]) -> None:
        for rule in rules:
            if self.rules.setdefault(rule.action, rule) is not rule:
                raise ValueError(f"policy rule {rule.action!r} registered twice")

    def add_actions(self, actions: Iterable[Action]) -> None:
        for action in actions:
            if self.actions.setdefault(str(action), action) is not action:
                raise ValueError(f"audit action {action!r} registered twice")

    def page(self, name: str) -> Panels:
        """The panels of one page (e.g. "chart"): rooms to the right add to it, the page's service collects it."""
        return self.panels.setdefault(name, Panels())

    def panel(self, pages: Iterable[str], name: str, template: str, provider: Any, wants: Any = None) -> None:
        for page in pages:
            self.page(page).register(name, template, provider, wants)

    def add_nav(self, *entries: NavEntry) -> None:
        self.nav.extend(entries)

    def home(self, role: Role, route: str) -> None:
        self.homes[role] = route

    def command(
        self,
        name: str,
        help: str,
        run: Command,
        arguments: Callable[[argparse.ArgumentParser], None] | None = None,
    ) -> None:
        if name in self.commands:
            raise ValueError(f"command {name!r} registered twice")
        self.commands[name] = CommandSpec(help, run, arguments)

    def nav_for(self, role: Role | None) -> list[NavEntry]:
        return sorted((entry for entry in self.nav if entry.role == role), key=lambda entry: entry.position)

    def message(self, kind: str, render: MessageRenderer, topic: str = "account") -> None:
        """A kind of outbox message, how its words are made at delivery and the topic it belongs to
        (server/outbox.py)."""
        if kind in self.messages:
            raise ValueError(f"message kind {kind!r} registered twice")
        if topic != "account" and topic not in self.topics:
            raise ValueError(f"message kind {kind!r} names unknown topic {topic!r}")
        self.messages[kind] = MessageKind(render, topic)

    def topic(self, name: str, label: str, roles: Iterable[Role]) -> None:
        """A kind of reminder people may turn off (shown on the reminders page to the roles given)."""
        if name in self.topics or name == "account":
            raise ValueError(f"topic {name!r} registered twice")
        self.topics[name] = Topic(name, label, frozenset(roles))
