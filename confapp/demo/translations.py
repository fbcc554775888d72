"""The demo's content in several languages: the event, its tracks, sessions and visits in
French (as an organiser would enter them), a few items in Arabic, the rest left to fall back
to English, so a newcomer sees translated content and the fallback at work.

Keyed by the English text the demo data writes, so the data modules stay as they are.
"""

from __future__ import annotations

import sqlalchemy as sa

from confapp.events.models import Event
from confapp.extensions import db

LANGUAGES = ["en", "fr", "es", "pt", "ar"]

EVENT = {
    "title": {
        "fr": "Nouveaux paradigmes du développement des clusters : les leçons des expériences "
        "mondiales",
        "es": "Nuevos paradigmas del desarrollo de clústeres: lecciones de experiencias globales",
        "ar": "تحوّل نماذج تنمية العناقيد الصناعية: دروس من التجارب العالمية",
    },
    "tagline": {
        "fr": "Trois jours pour comprendre comment les clusters de petites entreprises "
        "grandissent, innovent et deviennent plus verts — de Ludhiana à León.",
    },
    "description": {
        "fr": "Le développement des clusters est passé des centres de services communs à "
        "l'innovation, à la production verte, aux outils numériques et à l'accès au "
        "financement. Décideurs publics, associations de clusters, dirigeants de MPME, "
        "institutions financières, chercheurs et agences de développement d'Asie, d'Afrique et "
        "d'Amérique latine se retrouvent à New Delhi pour comparer ce qui a marché, ce qui n'a "
        "pas marché, et pourquoi.\n\nLe programme associe plénières et sessions parallèles, "
        "rendez-vous d'affaires et visites de clusters industriels et artisanaux autour de Delhi.",
    },
}

TRACKS = {
    "Industrial productivity": {"fr": "Productivité industrielle", "ar": "الإنتاجية الصناعية"},
    "Inclusive growth through micro-enterprise development": {
        "fr": "Croissance inclusive par le développement des micro-entreprises"
    },
    "Innovation": {"fr": "Innovation", "ar": "الابتكار"},
    "Energy efficiency": {"fr": "Efficacité énergétique"},
    "Common infrastructure": {"fr": "Infrastructures communes"},
    "Sustainable production": {"fr": "Production durable"},
}

SESSIONS = {
    "Registration and welcome coffee": {
        "fr": "Accueil des participants et café de bienvenue",
        "ar": "التسجيل وقهوة الترحيب",
    },
    "Opening plenary: changing paradigms of cluster development": {
        "fr": "Plénière d'ouverture : les nouveaux paradigmes du développement des clusters",
        "es": "Plenaria de apertura: nuevos paradigmas del desarrollo de clústeres",
        "ar": "الجلسة العامة الافتتاحية: تحوّل نماذج تنمية العناقيد الصناعية",
    },
    "Tea break": {"fr": "Pause thé", "ar": "استراحة شاي"},
    "Lean manufacturing in auto-component clusters": {
        "fr": "Production allégée dans les clusters de composants automobiles",
    },
    "Credit guarantees that reach micro-enterprises": {
        "fr": "Des garanties de crédit qui atteignent les micro-entreprises",
        "ar": "ضمانات ائتمان تصل إلى المنشآت متناهية الصغر",
    },
    "Technology centres as cluster innovation hubs": {
        "fr": "Les centres technologiques, pôles d'innovation des clusters",
    },
    "Energy audits for foundry and forging units": {
        "fr": "Audits énergétiques pour les fonderies et les forges",
    },
    "Workshop: mapping your cluster's value chain": {
        "fr": "Atelier : cartographier la chaîne de valeur de votre cluster",
    },
    "Lunch": {"fr": "Déjeuner", "ar": "الغداء"},
    "Common effluent treatment plants: who pays, who runs them": {
        "fr": "Stations communes de traitement des effluents : qui paie, qui les gère",
    },
    "Women-led micro-enterprises in handloom clusters": {
        "fr": "Micro-entreprises dirigées par des femmes dans les clusters de tissage à la main",
        "ar": "منشآت متناهية الصغر تقودها نساء في عناقيد النسيج اليدوي",
    },
    "Cleaner production in leather and tanning": {
        "fr": "Production plus propre dans le cuir et la tannerie",
    },
    "Digital tools for artisan clusters": {"fr": "Outils numériques pour les clusters artisanaux"},
    "One-to-one networking meetings": {
        "fr": "Rendez-vous d'affaires en tête-à-tête",
        "ar": "لقاءات أعمال ثنائية",
    },
    "Plenary: what two decades of cluster programmes taught us": {
        "fr": "Plénière : ce que deux décennies de programmes de clusters nous ont appris",
    },
    "Coffee break": {"fr": "Pause café", "ar": "استراحة قهوة"},
    "Blended finance for common infrastructure": {
        "fr": "Financement mixte des infrastructures communes",
    },
    "Cluster associations as service providers": {
        "fr": "Les associations de clusters, prestataires de services",
    },
    "Solar and waste-heat recovery in ceramic clusters": {
        "fr": "Solaire et récupération de chaleur fatale dans les clusters de céramique",
    },
    "Circular economy in agro-processing clusters": {
        "fr": "Économie circulaire dans les clusters agroalimentaires",
    },
    "Workshop: designing a cluster development plan": {
        "fr": "Atelier : concevoir un plan de développement de cluster",
    },
    "Cluster visits (see Visits)": {
        "fr": "Visites de clusters (voir Visites)",
        "ar": "الزيارات الميدانية إلى العناقيد الصناعية (انظر الزيارات)",
    },
    "Regional roundtables: Africa, Asia, Latin America": {
        "fr": "Tables rondes régionales : Afrique, Asie, Amérique latine",
    },
    "Productivity benchmarking across clusters": {
        "fr": "Comparer la productivité entre clusters",
    },
    "Open innovation between universities and MSMEs": {
        "fr": "Innovation ouverte entre universités et MPME",
    },
    "Shared testing labs and tool rooms": {
        "fr": "Laboratoires d'essai et ateliers d'outillage partagés",
    },
    "Workshop: pitching to development banks": {
        "fr": "Atelier : présenter son projet aux banques de développement",
    },
    "Energy-efficiency finance: from audit to loan": {
        "fr": "Financer l'efficacité énergétique : de l'audit au prêt",
    },
    "Sustainable production standards for export markets": {
        "fr": "Normes de production durable pour les marchés d'exportation",
    },
    "Closing plenary and the New Delhi statement": {
        "fr": "Plénière de clôture et déclaration de New Delhi",
        "ar": "الجلسة العامة الختامية وإعلان نيودلهي",
    },
}

VISITS = {
    "Auto components at Manesar": {
        "title": {
            "fr": "Composants automobiles à Manesar",
            "ar": "مكونات السيارات في مانيسار",
        },
        "requirements": {
            "fr": "Pièce d'identité avec photo à l'entrée de l'usine. Chaussures fermées ; pas de "
            "vêtements amples dans les ateliers. Photos interdites à l'intérieur.",
            "ar": "بطاقة هوية بصورة عند بوابة المصنع. أحذية مغلقة، ولا ملابس فضفاضة في أرض "
            "المصنع. يُمنع التصوير في الداخل.",
        },
        "description": {
            "fr": "Sous-traitants de rang 2 en pièces forgées et usinées, leur atelier d'outillage "
            "et leur laboratoire d'essai communs, et la façon dont l'association du cluster "
            "négocie avec les grands constructeurs.",
        },
    },
    "Handloom textiles of Panipat": {
        "title": {"fr": "Textiles tissés à la main de Panipat"},
        "requirements": {
            "fr": "Chaussures confortables ; il fait chaud dans les ateliers de tissage."
        },
        "description": {
            "fr": "Tisserands de tapis et de couvertures, premier pôle mondial du fil recyclé, et "
            "une teinturerie commune.",
        },
    },
    "Sports goods makers of Meerut": {
        "title": {"fr": "Fabricants d'articles de sport de Meerut"},
        "requirements": {"fr": "Chaussures fermées."},
    },
    "Footwear cluster of Agra": {
        "title": {"fr": "Le cluster de la chaussure d'Agra", "ar": "عنقود صناعة الأحذية في آغرا"},
        "requirements": {
            "fr": "Passeport ou carte d'identité nationale à l'entrée. Petit-déjeuner et déjeuner "
            "fournis. Départ matinal !",
        },
    },
    "Brassware of Moradabad": {
        "title": {"fr": "Laiton de Moradabad"},
        "requirements": {"fr": "Chaussures fermées ; les fonderies sont chaudes et poussiéreuses."},
    },
    "Blue pottery of Khurja": {
        "title": {"fr": "Poterie bleue de Khurja"},
        "requirements": {"fr": "Chaussures fermées."},
    },
}


def translate_demo(event: Event) -> int:
    """Offer the five languages and give the demo's content its translations; returns how
    many objects got some."""
    from confapp.agenda.models import ProgrammeSession
    from confapp.agenda.models import Track
    from confapp.visits.models import Visit

    event.languages = list(LANGUAGES)
    event.default_language = "en"
    for field, values in EVENT.items():
        setattr(event, f"{field}_i18n", dict(values))
    count = 1
    for track in db.session.scalars(sa.select(Track).where(Track.event_id == event.id)):
        if track.name in TRACKS:
            track.name_i18n = dict(TRACKS[track.name])
            count += 1
    for session in db.session.scalars(
        sa.select(ProgrammeSession).where(ProgrammeSession.event_id == event.id)
    ):
        if session.title in SESSIONS:
            session.title_i18n = dict(SESSIONS[session.title])
            count += 1
    for visit in db.session.scalars(sa.select(Visit).where(Visit.event_id == event.id)):
        for field, values in VISITS.get(visit.title, {}).items():
            setattr(visit, f"{field}_i18n", dict(values))
        count += visit.title in VISITS
    db.session.flush()
    return count
