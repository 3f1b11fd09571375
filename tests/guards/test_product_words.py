"""Issue #9 item 21: no developer text in what a user reads (forms, models, sign-in)."""

import inspect
import re

import pytest
from django import forms
from django.apps import apps

import audiences.forms
import audiences.views
import journeys.forms
import measurements.forms
from tests.factories import PASSWORD

DEVELOPER_WORDS = re.compile(r"\b(brief|username|model_name|pk)\b", re.I)
FORM_MODULES = (audiences.forms, audiences.views, journeys.forms, measurements.forms)


def _form_classes():
    for module in FORM_MODULES:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


@pytest.mark.parametrize("form_class", list(_form_classes()), ids=lambda c: c.__name__)
def test_form_labels_and_help_speak_to_users(form_class):
    for name, field in form_class.base_fields.items():
        for text in (field.label or "", field.help_text or ""):
            assert not DEVELOPER_WORDS.search(str(text)), f"{form_class.__name__}.{name}: {text}"


def test_model_help_texts_speak_to_users():
    for label in ("audiences", "journeys", "measurements"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                text = str(getattr(field, "help_text", "") or "")
                assert not DEVELOPER_WORDS.search(text), f"{model.__name__}.{field.name}: {text}"


def test_a_failed_sign_in_speaks_of_the_e_mail_not_a_username(client, lead):
    response = client.post("/login/", {"username": lead.email, "password": PASSWORD + "x"})
    visible = re.sub(r"<[^>]+>", " ", response.content.decode())
    assert "username" not in visible.lower()
    assert "e-mail" in visible.lower()
    assert re.search(r"correct e-mail (address )?and password", visible, re.I)
