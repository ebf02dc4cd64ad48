"""Demo data for a first look: teams, one user per role, and a demo channel that talks."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from agents.models import AgentProfile, Role, Team
from connectors.models import Channel, ChannelKind
from inbox.sla import default_policy

DEMO_PASSWORD = "socialcare-demo"
USERS = [
    # username, name, role, teams
    ("ana", "Ana Torres", Role.AGENT, ["Soporte · Support"]),
    ("ben", "Ben Carter", Role.AGENT, ["Soporte · Support"]),
    ("carla", "Carla Núñez", Role.AGENT, ["Segundo nivel · Second tier"]),
    ("sofia", "Sofía Reyes", Role.SUPERVISOR, ["Soporte · Support", "Segundo nivel · Second tier"]),
    ("admin", "Alex Admin", Role.ADMIN, []),
]


class Command(BaseCommand):
    help = "Create the demo teams, users (password: socialcare-demo) and a demo channel; safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        default_policy()
        teams = {name: Team.objects.get_or_create(name=name)[0] for name in {t for *_, ts in USERS for t in ts}}
        User = get_user_model()
        for username, name, role, team_names in USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.first_name, _, user.last_name = name.partition(" ")
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = role == Role.ADMIN
                user.save()
            profile, _ = AgentProfile.objects.get_or_create(user=user, defaults={"role": role})
            profile.teams.set([teams[t] for t in team_names])
        Channel.objects.get_or_create(
            kind=ChannelKind.DEMO,
            name="Demo brand",
            defaults={
                "default_team": teams["Soporte · Support"],
                "poll_interval": 10,
                "listening": {"rate_per_minute": 3, "first_batch": 4},
            },
        )
        self.stdout.write(f"Demo ready: users {', '.join(u[0] for u in USERS)}, password {DEMO_PASSWORD}")
