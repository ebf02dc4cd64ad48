"""A network that lives in this process: believable customers, in Spanish and English.

It produces mentions at `listening["rate_per_minute"]` (default 4) since the last fetch,
the way a real network returns what was said since a cursor, and accepts every reply.
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from connectors.base import Author, ChannelConfig, Fetched, Mention, OutboundReply, Sent

PERSONAS = [
    Author("1001", "lucia_mtz", "Lucía Martínez", 312, False),
    Author("1002", "jorge.ramirez", "Jorge Ramírez", 1840, False),
    Author("1003", "ana_belen_g", "Ana Belén García", 96, False),
    Author("1004", "techconmarta", "Marta Ortega · Tecnología", 48200, True),
    Author("1005", "pablo_sanz", "Pablo Sanz", 655, False),
    Author("2001", "emily_r", "Emily Roberts", 220, False),
    Author("2002", "dan_writes", "Dan Whitfield", 3100, False),
    Author("2003", "gadgetgrace", "Grace Kim | Gadget Reviews", 125000, True),
    Author("2004", "mike_t", "Mike Turner", 41, False),
    Author("2005", "sarah.b", "Sarah Bennett", 870, False),
]
LANGUAGE = {author.platform_id: ("es" if author.platform_id.startswith("1") else "en") for author in PERSONAS}

TEXTS = {
    "es": {
        "complaint": [
            "Llevo tres días sin conexión y nadie me da una solución. ¿Alguien me puede ayudar?",
            "Me cobraron dos veces la factura de este mes. Esto es inaceptable.",
            "El pedido 48213 iba a llegar el lunes y sigue sin aparecer. Muy decepcionado.",
            "La aplicación se cierra cada vez que intento pagar. Ya he reinstalado dos veces.",
            "Quiero cancelar mi suscripción y la web no me deja. ¿Cómo lo hago?",
        ],
        "question": [
            "¿Tenéis envío a Canarias? No lo encuentro en la web.",
            "¿Cuál es el horario de atención al cliente los fines de semana?",
            "¿Puedo cambiar la dirección de entrega de un pedido ya enviado?",
            "¿La garantía cubre la batería o solo la pantalla?",
        ],
        "praise": [
            "¡Gracias por la rapidez! El técnico vino hoy y todo funciona perfecto.",
            "Muy buena atención en la tienda del centro, da gusto así.",
        ],
        "followup": [
            "Sigo esperando respuesta...",
            "Os he escrito por privado con el número de pedido.",
            "Ya está resuelto, ¡gracias!",
            "¿Hay novedades? Sigue igual.",
        ],
    },
    "en": {
        "complaint": [
            "Third day without internet and still no fix. Is anyone actually working on this?",
            "I was charged twice this month. Not happy at all.",
            "My order #48213 was due Monday and it's still not here. Really disappointed.",
            "The app crashes every time I try to check out. Reinstalled twice already.",
            "Trying to cancel my subscription and the website won't let me. How do I do it?",
        ],
        "question": [
            "Do you ship to Canada? Can't find it on the site.",
            "What are your customer service hours on weekends?",
            "Can I change the delivery address of an order that already shipped?",
            "Does the warranty cover the battery or only the screen?",
        ],
        "praise": [
            "Thanks for the quick fix! The technician came today and everything works.",
            "Great service at the downtown store today, well done.",
        ],
        "followup": [
            "Still waiting for an answer...",
            "Sent you a DM with my order number.",
            "All sorted now, thank you!",
            "Any news? Nothing has changed.",
        ],
    },
}
KIND_WEIGHTS = {"complaint": 5, "question": 4, "praise": 1}
REPLY_SHARE = 0.3
RECENT_KEPT = 20
MOST_PER_FETCH = 50


class DemoConnector:
    kind = "demo"
    reply_limit = None
    replies_on_site = False
    webhook_per_app = False  # the network calls this channel's own URL

    def __init__(self, config: ChannelConfig):
        self.config = config
        self.rate = float(config.listening.get("rate_per_minute", 4))
        self.first_batch = int(config.listening.get("first_batch", 3))

    def fetch(self, cursor: dict) -> Fetched:
        now = timezone.now()
        seq = cursor.get("seq", 0)
        recent = list(cursor.get("recent", []))
        if "at" in cursor:
            elapsed = (now - datetime.fromisoformat(cursor["at"])).total_seconds()
            expected = cursor.get("carry", 0.0) + max(elapsed, 0) / 60 * self.rate
        else:
            expected = float(self.first_batch)
        count = min(int(expected), MOST_PER_FETCH)
        mentions = []
        for offset in range(count):
            seq += 1
            mention = self._mention(seq, now - timedelta(seconds=count - offset), recent)
            mentions.append(mention)
            recent = (recent + [[mention.external_id, mention.author.platform_id]])[-RECENT_KEPT:]
        carry = expected - int(expected) if count < MOST_PER_FETCH else 0.0
        return Fetched(mentions, {"seq": seq, "at": now.isoformat(), "carry": carry, "recent": recent})

    def _mention(self, seq: int, created_at: datetime, recent: list) -> Mention:
        rng = random.Random(f"{self.config.channel_id}:{seq}")
        if recent and rng.random() < REPLY_SHARE:
            parent_id, author_id = rng.choice(recent)
            author = next(p for p in PERSONAS if p.platform_id == author_id)
            kind = "followup"
        else:
            parent_id = ""
            author = rng.choice(PERSONAS)
            kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        language = LANGUAGE[author.platform_id]
        external_id = f"demo-{self.config.channel_id}-{seq}"
        return Mention(
            external_id=external_id,
            author=author,
            text=rng.choice(TEXTS[language][kind]),
            created_at=created_at,
            parent_external_id=parent_id,
            language=language,
            raw={"seq": seq, "kind": kind},
        )

    def send(self, reply: OutboundReply) -> Sent:
        # One id per message: a retried delivery is the same post, never a second one.
        return Sent(external_id=f"demo-out-{reply.message_id}", accepted_at=timezone.now())

    def find_sent(self, reply: OutboundReply) -> Sent | None:
        return None  # send never fails, so no attempt is ever ambiguous

    def verify(self) -> None:
        """The demo network is always reachable."""

    def webhook_handshake(self, query):
        return None

    def webhook_signature_ok(self, delivery) -> bool:
        return False  # it has no webhooks

    def webhook_key(self, delivery) -> str:
        return ""

    def parse_webhook(self, delivery) -> list[Mention]:
        return []
