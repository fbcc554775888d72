"""Event content in several languages: fallback, organiser inputs, what is untranslated."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from confapp import i18n
from confapp.agenda.models import Track
from confapp.events.models import Event
from confapp.extensions import db
from confapp.multilingual import language_of_text
from confapp.multilingual import save_translations
from confapp.multilingual import tr
from confapp.multilingual import translations
from confapp.multilingual import untranslated
from confapp.web.forms import Form
from confapp.web.forms import collect_translations
from confapp.web.forms import load_translations
from confapp.web.forms import translation_fields
from tests.helpers import make_event


def _track(event, name="Green clusters", **i18n_names):
    track = Track(event_id=event.id, name=name, name_i18n=i18n_names)
    db.session.add(track)
    db.session.flush()
    return track


def test_text_in_the_readers_language_else_the_default(app_ctx):
    event = make_event(languages=["en", "fr", "ar"])
    track = _track(event, fr="Clusters verts")
    with i18n.force_language("fr"):
        assert tr(track, "name") == "Clusters verts"
        assert language_of_text(track, "name") == "fr"
    with i18n.force_language("ar"):
        assert tr(track, "name") == "Green clusters"  # no Arabic yet: the default
        assert language_of_text(track, "name") == "en"
    assert tr(track, "name", "fr") == "Clusters verts"
    assert translations(track, "name") == {"en": "Green clusters", "fr": "Clusters verts"}


def test_a_french_default_language_is_the_base_column(app_ctx):
    event = make_event(default_language="fr", title="Changer de paradigme")
    event.title_i18n = {"en": "Changing paradigms", "fr": "stale value never read"}
    with i18n.force_language("fr"):
        assert tr(event, "title") == "Changer de paradigme"
    with i18n.force_language("en"):
        assert tr(event, "title") == "Changing paradigms"


def test_unchanged_translations_are_not_written(app_ctx):
    event = make_event(languages=["en", "fr"])
    track = _track(event, fr="Clusters verts")
    db.session.commit()
    save_translations(track, {"name": {"fr": "Clusters verts"}})
    assert not db.session.is_modified(track)
    save_translations(track, {"name": {"fr": "Grappes vertes"}})
    assert track.name_i18n == {"fr": "Grappes vertes"}


def test_untranslated_lists_missing_languages(app_ctx):
    event = make_event(languages=["en", "fr", "es"], description="")
    _track(event, "Finance", fr="Finance", es="Finanzas")
    _track(event, "Skills", fr="Compétences")
    missing = untranslated(event, db.session)
    by_label = {(m.kind, m.label, m.field): m.languages for m in missing}
    assert by_label[("track", "Skills", "name")] == ("es",)
    assert ("track", "Finance", "name") not in by_label
    assert by_label[("event", event.title, "title")] == ("fr", "es")
    assert not any(m.field == "description" for m in missing)  # empty text: nothing to do


def test_organiser_form_has_one_input_per_other_language(app):
    class TrackForm(Form):
        pass

    with app.app_context():
        event = make_event(languages=["en", "fr", "ar"])
        track = _track(event, fr="Clusters verts")
        form_class = translation_fields(TrackForm, event, {"name": 100})
        with app.test_request_context():
            form = form_class(meta={"csrf": False})
            load_translations(form, track, ["name"])
            assert [f.name for f in form] == ["name__fr", "name__ar"]
            assert form.name__fr.data == "Clusters verts"
            assert form.name__ar.render_kw["dir"] == "auto"
        data = MultiDict({"name__fr": " Clusters verts ", "name__ar": "العناقيد الخضراء"})
        with app.test_request_context(method="POST", data=data):
            form = form_class(meta={"csrf": False})
            assert collect_translations(form, ["name"]) == {
                "name": {"fr": "Clusters verts", "ar": "العناقيد الخضراء"}
            }
        assert isinstance(event, Event)
