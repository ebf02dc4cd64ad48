"""A starter set of canned responses in Spanish and English; admins edit them freely."""

from django.db import migrations

STARTERS = [
    (
        "Acknowledge",
        "ack",
        "Hi {author_name}, thanks for reaching out. I'm {agent_name} and I'm looking into this for you now.",
        "Hola {author_name}, gracias por escribirnos. Soy {agent_name} y ya estoy revisando tu caso.",
    ),
    (
        "Apologise",
        "sorry",
        "{author_name}, we're sorry for the trouble this has caused you. That isn't the experience we want you to have, and we'll put it right.",
        "{author_name}, lamentamos mucho las molestias. No es la experiencia que queremos darte y lo vamos a solucionar.",
    ),
    (
        "Ask for a private message",
        "dm",
        "{author_name}, could you send us a private message with your order or account number? We'll follow up there so your details stay private. – {agent_name}",
        "{author_name}, ¿puedes enviarnos un mensaje privado con tu número de pedido o de cliente? Seguimos por ahí para proteger tus datos. – {agent_name}",
    ),
    (
        "Resolved",
        "done",
        "Good news, {author_name}: this is sorted now. If anything else comes up, we're here. – {agent_name}",
        "Buenas noticias, {author_name}: ya está resuelto. Si necesitas algo más, aquí estamos. – {agent_name}",
    ),
    (
        "Follow-up",
        "follow",
        "Hi {author_name}, just checking in: is everything working as it should now? – {agent_name}",
        "Hola {author_name}, te escribimos para confirmar: ¿ya funciona todo como debería? – {agent_name}",
    ),
]


def add(apps, schema_editor):
    CannedResponse = apps.get_model("inbox", "CannedResponse")
    for title, shortcut, english, spanish in STARTERS:
        CannedResponse.objects.get_or_create(shortcut=shortcut, defaults={"title": title, "text_en": english, "text_es": spanish})


def remove(apps, schema_editor):
    apps.get_model("inbox", "CannedResponse").objects.filter(shortcut__in=[s[1] for s in STARTERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("inbox", "0008_search_indexes")]
    operations = [migrations.RunPython(add, remove)]
