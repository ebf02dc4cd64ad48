"""socialcare.parallel_queries: a page's independent queries at once, each as the caller
would have run it."""

import threading

import pytest
from django.db import transaction
from django.utils import timezone, translation

from socialcare.parallel_queries import gather


def where_and_how():
    return threading.current_thread(), translation.get_language(), timezone.get_current_timezone_name()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_calls_run_on_other_threads_in_the_callers_language_and_zone():
    with translation.override("es"), timezone.override("Europe/Madrid"):
        found = gather({"first": where_and_how, "second": where_and_how})
    for thread, language, zone in found.values():
        assert thread is not threading.current_thread()
        assert (language, zone) == ("es", "Europe/Madrid")


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_calls_run_on_its_connection_one_after_the_other():
    with transaction.atomic():
        found = gather({"only": where_and_how})
    assert found["only"][0] is threading.current_thread()


@pytest.mark.django_db(transaction=True)
def test_a_failing_call_fails_the_gathering():
    def broken():
        raise ValueError("no such metric")

    with pytest.raises(ValueError, match="no such metric"):
        gather({"fine": where_and_how, "broken": broken})
