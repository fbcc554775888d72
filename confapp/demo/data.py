"""The demo conference as compact tables: the event, its team and its delegates.

Everything here is fictitious (people, organisations, e-mail addresses under the
reserved example.org domain), apart from well-known international bodies that such
conferences always have among their partners and delegates.

Names in non-Latin scripts are written "native/romanised" so that e-mail addresses and
passport names can be derived from the romanised form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SLUG = "cluster-2027"
PASSWORD = "demo-password"  # noqa: S105 - the published password of the demo accounts

EVENT = {
    "slug": SLUG,
    "title": "Changing paradigms of cluster development: learning from global experiences",
    "tagline": (
        "Three days on how clusters of small firms grow, innovate and go green — "
        "from Ludhiana to León."
    ),
    "description": (
        "Cluster development has moved from common facility centres to innovation, green "
        "production, digital tools and access to finance. Policy makers, cluster associations, "
        "MSME owners, financial institutions, researchers and development agencies from Asia, "
        "Africa and Latin America meet in New Delhi to compare what worked, what did not and "
        "why.\n\nThe programme combines plenaries and parallel sessions with one-to-one "
        "networking meetings and visits to industrial and artisanal clusters around Delhi."
    ),
    "venue": "India Habitat Centre",
    "venue_address": "Lodhi Road, New Delhi 110003",
    "city": "New Delhi",
    "country": "IN",
    "timezone": "Asia/Kolkata",
    "capacity": 400,
    "public_categories": "delegate,speaker,press",
    "contact_email": "secretariat@cluster-2027.example.org",
    "letter_signatory": (
        "Dr Meera Raghavan, Executive Director, Bharat Foundation for MSME Clusters"
    ),
    # The letterhead of visa letters and certificates (documents settings).
    "organiser_name": "Bharat Foundation for MSME Clusters",
    "organiser_address": "Core 4B, India Habitat Centre, Lodhi Road\nNew Delhi 110003, India",
    "letter_contact": "Visa desk: +91 11 4366 2700 · visas@cluster-2027.example.org",
    "letter_purpose": (
        'To attend the international conference "Changing paradigms of cluster development: '
        'learning from global experiences" as a registered delegate, including its plenary and '
        "parallel sessions, business-to-business networking meetings and field visits to "
        "industrial clusters in the National Capital Region."
    ),
}

# The demo is laid out around the day it is loaded, so that it is always upcoming with
# registration open, whenever someone tries it: the conference starts eleven weeks later
# and lasts three days; registration opened twenty weeks before the start (so some weeks
# of registrations lie behind) and closes at the end of the fifth day before it.
STARTS_AFTER_DAYS = 78
LASTS_DAYS = 3
OPENED_DAYS_BEFORE_START = 142
CLOSES_DAYS_BEFORE_START = 5


@dataclass(frozen=True)
class DemoCalendar:
    """The demo's dates for one load day."""

    starts_on: dt.date
    ends_on: dt.date
    registration_opens: dt.datetime  # UTC
    registration_closes_local: dt.datetime  # naive, in the event's time zone


def calendar(now: dt.datetime) -> DemoCalendar:
    """The demo's dates when it is loaded at `now` (an aware datetime)."""
    starts_on = now.date() + dt.timedelta(days=STARTS_AFTER_DAYS)
    opens_on = starts_on - dt.timedelta(days=OPENED_DAYS_BEFORE_START)
    closes_on = starts_on - dt.timedelta(days=CLOSES_DAYS_BEFORE_START)
    return DemoCalendar(
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=LASTS_DAYS - 1),
        registration_opens=dt.datetime.combine(opens_on, dt.time(0, 0), tzinfo=dt.UTC),
        registration_closes_local=dt.datetime.combine(closes_on, dt.time(23, 59)),
    )


PARTNERS: tuple[tuple[str, str], ...] = (
    ("Bharat Foundation for MSME Clusters", "Organiser"),
    ("United Nations Industrial Development Organization (UNIDO)", "Partner"),
    ("National Confederation of Small and Medium Industries", "Partner"),
    ("Global Cluster Competitiveness Network", "Partner"),
)

# email, full name, kind (admin | organiser | staff | delegate)
ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("admin@demo.confapp.org", "Site Administrator", "admin"),
    ("organiser@demo.confapp.org", "Rohan Mehta", "organiser"),
    ("staff@demo.confapp.org", "Kavita Nair", "staff"),
    ("delegate@demo.confapp.org", "Aïssatou Diallo", "delegate"),
)
# The demo delegate's registration (and approved visa letter).
DEMO_DELEGATE = {
    "country": "SN",
    "organisation": "Chambre de Commerce, d'Industrie et d'Agriculture de Thiès",
    "organisation_type": "cluster_association",
    "job_title": "Head of SME Services",
    "sector": "agriculture",
    "phone": "+221 77 412 36 90",
    "interests": ["inclusive_growth", "finance", "export_markets"],
    "passport": ("DIALLO AISSATOU", "A02871546", "SN", dt.date(1986, 7, 14)),
}

# Organisation type codes used in the tables below.
ORG_TYPES = {
    "P": "policy_maker",
    "M": "msme",
    "C": "cluster_association",
    "F": "financial_institution",
    "K": "knowledge_institution",
    "I": "implementing_agency",
    "O": "international_organisation",
    "X": "other",
}
SECTORS = {"i": "industry", "a": "agriculture", "s": "services"}

JOB_TITLES: dict[str, tuple[str, ...]] = {
    "policy_maker": (
        "Joint Secretary",
        "Director, MSME Policy",
        "Deputy Minister's Adviser",
        "Senior Policy Officer",
        "Head of Industrial Development",
    ),
    "msme": (
        "Managing Director",
        "Founder and CEO",
        "Owner",
        "Production Manager",
        "Export Manager",
    ),
    "cluster_association": (
        "President",
        "Secretary General",
        "Cluster Development Executive",
        "Executive Director",
        "Programme Coordinator",
    ),
    "financial_institution": (
        "General Manager, MSME Lending",
        "Credit Officer",
        "Head of SME Banking",
        "Senior Investment Officer",
    ),
    "knowledge_institution": (
        "Professor of Economics",
        "Senior Research Fellow",
        "Director, Centre for Cluster Studies",
        "Associate Professor",
        "Research Associate",
    ),
    "implementing_agency": (
        "Cluster Development Agent",
        "Project Manager",
        "Technical Adviser",
        "Team Leader, Value Chains",
    ),
    "international_organisation": (
        "Industrial Development Officer",
        "Programme Officer",
        "Country Representative",
        "Senior Private Sector Specialist",
    ),
    "other": ("Independent Consultant", "Journalist", "Correspondent", "Trainer and Facilitator"),
}

DIETARY = (
    "",
    "",
    "",
    "",
    "vegetarian",
    "vegetarian",
    "vegan",
    "halal",
    "no pork",
    "jain (no root vegetables)",
    "gluten-free",
)
ACCESSIBILITY = ("", "", "", "", "", "", "", "", "step-free access please", "large-print materials")

# code, delegates, name order ("gf" given family; "fg" family given, no space; "f g"
# family given with a space), phone prefix, given names and family names (comma
# separated), organisations as "name|type|sector".
COUNTRIES: tuple[tuple[str, int, str, str, str, str, tuple[str, ...]], ...] = (
    (
        "IN",
        22,
        "gf",
        "+91",
        (
            "प्रिया/Priya, राहुल/Rahul, अनीता/Anita, संजय/Sanjay, पूजा/Pooja, "
            "विकास/Vikas, सुनीता/Sunita, अमित/Amit, नेहा/Neha, दीपक/Deepak"
        ),
        (
            "शर्मा/Sharma, वर्मा/Verma, गुप्ता/Gupta, सिंह/Singh, यादव/Yadav, "
            "मिश्रा/Mishra, जोशी/Joshi, अग्रवाल/Agarwal, त्रिपाठी/Tripathi, चौहान/Chauhan"
        ),
        (
            "Ludhiana Knitwear Cluster Association|C|i",
            "Moradabad Brassware Exporters' Forum|C|i",
            "Directorate of Industries, Uttar Pradesh|P|i",
            "Small Industries Finance Corporation|F|s",
            "Institute for Cluster Studies, Pune|K|s",
            "Chauhan Auto Components Pvt Ltd|M|i",
            "Firozabad Glass Bangle Makers' Cooperative|M|i",
            "Bharat Foundation for MSME Clusters|I|s",
        ),
    ),
    (
        "IN",
        16,
        "gf",
        "+91",
        (
            "Lakshmi, Arun, Kavitha, Suresh, Meenakshi, Karthik, Ananya, Rajesh, Divya, "
            "Venkatesh, Sourav, Moumita, Arjun, Fatima, Imran"
        ),
        (
            "Iyer, Krishnan, Subramanian, Reddy, Nair, Menon, Banerjee, Chatterjee, Das, "
            "Pillai, Qureshi, Ansari, Patel, Desai"
        ),
        (
            "Tiruppur Exporters' Association|C|i",
            "Kanchipuram Silk Weavers' Cooperative|M|i",
            "Kerala Coir Cluster Development Society|C|a",
            "Coimbatore Pump Manufacturers' Association|C|i",
            "Gujarat Industrial Extension Bureau|P|i",
            "Centre for Rural Enterprise, Bhubaneswar|K|a",
            "Rajkot Engineering Association|C|i",
            "Nashik Grape Growers' Producer Company|M|a",
            "State Bank of Bharat, MSME Division|F|s",
            "Press Trust of Asia|X|s",
        ),
    ),
    (
        "NP",
        6,
        "gf",
        "+977",
        "सुनिता/Sunita, बिकास/Bikash, सरिता/Sarita, रमेश/Ramesh, अनिल/Anil",
        "श्रेष्ठ/Shrestha, थापा/Thapa, अधिकारी/Adhikari, गुरुङ/Gurung, पौडेल/Poudel",
        (
            "Federation of Nepalese Cottage and Small Industries|C|i",
            "Bhaktapur Handicraft Producers' Group|M|i",
            "Ministry of Industry, Commerce and Supplies|P|i",
            "Nepal Agro-Enterprise Centre|I|a",
        ),
    ),
    (
        "BD",
        6,
        "gf",
        "+880",
        "Farhana, Tanvir, Nusrat, Rezaul, Sabrina, Mahbub",
        "Rahman, Hossain, Ahmed, Chowdhury, Islam, Khatun",
        (
            "Bangladesh Light Engineering Industry Owners' Association|C|i",
            "SME Foundation Bangladesh|P|i",
            "Dhaka Leather Footwear Cluster|M|i",
            "Grameen Enterprise Finance|F|s",
        ),
    ),
    (
        "LK",
        5,
        "gf",
        "+94",
        "Nimali, Chaminda, Dilani, Ruwan, Tharindu",
        "Perera, Fernando, Jayasinghe, Wickramasinghe, Bandara",
        (
            "Export Development Board, Sri Lanka|P|s",
            "Moratuwa Furniture Manufacturers' Association|C|i",
            "Uva Tea Smallholders' Society|M|a",
            "University of Peradeniya|K|s",
        ),
    ),
    (
        "PK",
        5,
        "gf",
        "+92",
        "Ayesha, Usman, Sana, Bilal, Hina, Kamran",
        "Malik, Butt, Qureshi, Siddiqui, Sheikh",
        (
            "Sialkot Chamber of Commerce and Industry|C|i",
            "Small and Medium Enterprises Development Authority|P|i",
            "Faisalabad Weaving Cluster|M|i",
            "Lahore School of Economics|K|s",
        ),
    ),
    (
        "CN",
        7,
        "fg",
        "+86",
        "伟/Wei, 芳/Fang, 静/Jing, 磊/Lei, 晓明/Xiaoming, 丽娜/Lina, 海燕/Haiyan",
        "王/Wang, 李/Li, 张/Zhang, 刘/Liu, 陈/Chen, 杨/Yang",
        (
            "Zhejiang Small and Medium Enterprise Bureau|P|i",
            "Yiwu Small Commodities Traders' Association|C|s",
            "Datang Hosiery Industrial Cluster|M|i",
            "Institute of Industrial Economics, Hangzhou|K|s",
        ),
    ),
    (
        "VN",
        6,
        "f g",
        "+84",
        (
            "Thị Lan/Thi Lan, Văn Hùng/Van Hung, Minh Anh/Minh Anh, "
            "Quốc Bảo/Quoc Bao, Thu Trang/Thu Trang"
        ),
        "Nguyễn/Nguyen, Trần/Tran, Lê/Le, Phạm/Pham, Hoàng/Hoang",
        (
            "Bát Tràng Ceramics Village Association|C|i",
            "Agency for Enterprise Development, Ministry of Planning and Investment|P|i",
            "Mekong Delta Rice Cooperative Union|M|a",
            "Vietnam Bank for Small Business|F|s",
        ),
    ),
    (
        "ID",
        6,
        "gf",
        "+62",
        "Siti, Budi, Dewi, Agus, Rina, Wahyu",
        "Rahayu, Santoso, Wijaya, Saputra, Kurniawan, Hidayat",
        (
            "Ministry of Cooperatives and SMEs|P|i",
            "Jepara Furniture Cluster Forum|C|i",
            "Bandung Creative Hub|K|s",
            "Pekalongan Batik Producers' Association|M|i",
        ),
    ),
    (
        "PH",
        5,
        "gf",
        "+63",
        "Maria, Jose, Cristina, Ramon, Angelica",
        "Santos, Reyes, Cruz, Bautista, Villanueva",
        (
            "Department of Trade and Industry, Region VII|P|i",
            "Cebu Furniture Industries Foundation|C|i",
            "Bicol Abaca Growers' Cooperative|M|a",
            "Asian Institute of Management|K|s",
        ),
    ),
    (
        "TH",
        5,
        "gf",
        "+66",
        "Somchai, Siriporn, Anan, Kanokwan, Prasert",
        "Srisuk, Chaiyaporn, Boonmee, Rattanakorn, Wongsuwan",
        (
            "Office of SME Promotion|P|i",
            "Chiang Mai Handicraft Cluster|C|i",
            "Thai Cassava Processors' Association|M|a",
            "SME Development Bank of Thailand|F|s",
        ),
    ),
    (
        "KH",
        4,
        "gf",
        "+855",
        "Sokha, Dara, Sreymom, Vuthy",
        "Chan, Sok, Heng, Kim",
        (
            "Ministry of Industry, Science, Technology and Innovation|P|i",
            "Kampong Chhnang Pottery Group|M|i",
            "Cambodia Rice Federation|C|a",
        ),
    ),
    (
        "MN",
        3,
        "gf",
        "+976",
        "Oyunchimeg, Batbayar, Enkhjargal",
        "Dorj, Ganbaatar, Tserendorj",
        ("Mongolian Cashmere Association|C|i", "Ulaanbaatar SME Agency|P|i"),
    ),
    (
        "JO",
        4,
        "gf",
        "+962",
        "ليلى/Layla, خالد/Khaled, رنا/Rana, سامر/Samer",
        "الخطيب/Al-Khatib, العبادي/Al-Abbadi, حداد/Haddad, النمري/Al-Nimri",
        (
            "Jordan Enterprise Development Corporation|P|i",
            "Amman Chamber of Industry|C|i",
            "Jordan Olive Oil Producers' Cooperative|M|a",
        ),
    ),
    (
        "EG",
        6,
        "gf",
        "+20",
        "محمد/Mohamed, أحمد/Ahmed, منى/Mona, ياسمين/Yasmin, عمر/Omar, هبة/Heba",
        "حسن/Hassan, السيد/El-Sayed, مصطفى/Mostafa, إبراهيم/Ibrahim, فؤاد/Fouad",
        (
            "Micro, Small and Medium Enterprise Development Agency|P|i",
            "Damietta Furniture Cluster|C|i",
            "Fayoum Pottery Makers' Association|M|i",
            "Cairo University, Faculty of Economics|K|s",
            "National Bank for Development|F|s",
        ),
    ),
    (
        "MA",
        5,
        "gf",
        "+212",
        "Youssef, Fatima-Zahra, Karim, Salma, Hicham",
        "El Amrani, Benali, Tazi, Alaoui, Bennani",
        (
            "Maroc PME|P|i",
            "Fès Leather Tanners' Association|C|i",
            "Souss Argan Women's Cooperative|M|a",
            "Université Mohammed V|K|s",
        ),
    ),
    (
        "TN",
        4,
        "gf",
        "+216",
        "Sami, Amel, Nizar, Rim",
        "Ben Salah, Trabelsi, Gharbi, Jaziri",
        (
            "Agence de Promotion de l'Industrie et de l'Innovation|P|i",
            "Pôle de Compétitivité de Monastir|C|i",
            "Sfax Olive Oil Exporters|M|a",
        ),
    ),
    (
        "KE",
        7,
        "gf",
        "+254",
        "Wanjiru, Otieno, Achieng, Kipchoge, Njeri, Mwangi, Akinyi",
        "Kamau, Odhiambo, Wanjala, Kiprotich, Mutua, Chebet",
        (
            "Micro and Small Enterprises Authority|P|i",
            "Kariokor Leather Cluster|C|i",
            "Kenya Tea Growers' Association|M|a",
            "Strathmore Business School|K|s",
            "Kenya Industrial Estates|F|s",
        ),
    ),
    (
        "NG",
        7,
        "gf",
        "+234",
        "Chinedu, Amara, Oluwaseun, Ngozi, Emeka, Funmilayo, Ibrahim",
        "Okafor, Adeyemi, Eze, Balogun, Okonkwo, Abubakar",
        (
            "Small and Medium Enterprises Development Agency of Nigeria|P|i",
            "Aba Garment and Leather Cluster|C|i",
            "Kano Hides and Skins Traders|M|i",
            "Bank of Industry Nigeria|F|s",
            "University of Lagos|K|s",
        ),
    ),
    (
        "GH",
        5,
        "gf",
        "+233",
        "Kwame, Akosua, Kofi, Abena, Yaw",
        "Mensah, Owusu, Asante, Boateng, Appiah",
        (
            "Ghana Enterprises Agency|P|i",
            "Suame Magazine Artisans' Association|C|i",
            "Kuapa Cocoa Farmers' Union|M|a",
            "Ghana Exim Bank|F|s",
        ),
    ),
    (
        "ET",
        5,
        "gf",
        "+251",
        "Abebe, Selamawit, Tadesse, Hiwot, Dawit",
        "Bekele, Tesfaye, Girma, Haile, Alemu",
        (
            "Federal Small and Medium Manufacturing Industry Development Agency|P|i",
            "Mercato Footwear Cluster|C|i",
            "Sidama Coffee Farmers' Cooperative Union|M|a",
            "Addis Ababa University|K|s",
        ),
    ),
    (
        "TZ",
        4,
        "gf",
        "+255",
        "Neema, Juma, Rehema, Baraka",
        "Mushi, Mwakyusa, Said, Massawe",
        (
            "Small Industries Development Organisation|P|i",
            "Arusha Food Processors' Association|C|a",
            "Zanzibar Seaweed Farmers' Group|M|a",
        ),
    ),
    (
        "UG",
        4,
        "gf",
        "+256",
        "Nakato, Ssebunya, Apio, Okello",
        "Namubiru, Kato, Achan, Mugisha",
        (
            "Uganda Investment Authority|P|i",
            "Katwe Metal Fabricators' Association|C|i",
            "Busoga Coffee Growers' Cooperative|M|a",
        ),
    ),
    (
        "RW",
        3,
        "gf",
        "+250",
        "Aline, Jean-Claude, Divine",
        "Uwase, Habimana, Mukamana",
        (
            "Rwanda Development Board|P|s",
            "Nyabugogo Crafts Cluster|C|i",
            "University of Rwanda|K|s",
        ),
    ),
    (
        "SN",
        5,
        "gf",
        "+221",
        "Aïssatou, Mamadou, Fatou, Cheikh, Ndèye",
        "Ndiaye, Diop, Sow, Fall, Mbaye",
        (
            "Agence de Développement et d'Encadrement des PME|P|i",
            "Pôle Teranga Agro-alimentaire|C|a",
            "Coopérative des Transformatrices de Céréales de Thiès|M|a",
            "Université Cheikh Anta Diop|K|s",
        ),
    ),
    (
        "CI",
        4,
        "gf",
        "+225",
        "Koffi, Adjoua, Yao, Aya",
        "Kouassi, Koné, Traoré, N'Guessan",
        (
            "Agence Côte d'Ivoire PME|P|i",
            "Coopérative des Producteurs de Cacao de Soubré|M|a",
            "Chambre de Commerce et d'Industrie de Côte d'Ivoire|C|s",
        ),
    ),
    (
        "ZA",
        4,
        "gf",
        "+27",
        "Thandiwe, Sipho, Lerato, Pieter",
        "Nkosi, Dlamini, Mokoena, van der Merwe",
        (
            "Small Enterprise Development and Finance Agency|F|s",
            "Western Cape Clothing and Textile Cluster|C|i",
            "Stellenbosch University|K|s",
            "Durban Automotive Cluster|C|i",
        ),
    ),
    (
        "ZM",
        3,
        "gf",
        "+260",
        "Mutale, Chanda, Bwalya",
        "Banda, Phiri, Mulenga",
        ("Zambia Development Agency|P|i", "Lusaka Honey Producers' Cluster|M|a"),
    ),
    (
        "BR",
        6,
        "gf",
        "+55",
        "João, Conceição, Ana Luíza, Sebastião, Márcia, Tiago",
        "Gonçalves, Araújo, Conceição, Magalhães, Sousa, Ribeiro",
        (
            "SEBRAE São Paulo|I|s",
            "Arranjo Produtivo Local de Calçados de Franca|C|i",
            "Cooperativa de Cafeicultores do Sul de Minas|M|a",
            "Universidade Federal do Rio de Janeiro|K|s",
            "Banco do Nordeste|F|s",
        ),
    ),
    (
        "MX",
        5,
        "gf",
        "+52",
        "José Luis, María Fernanda, Guillermo, Ximena, Raúl",
        "Martínez, Hernández, López, Ramírez, Ordóñez",
        (
            "Secretaría de Economía, Dirección de Clústeres|P|i",
            "Clúster Automotriz de Guanajuato|C|i",
            "Talavera Artesanos de Puebla|M|i",
            "Nacional Financiera|F|s",
        ),
    ),
    (
        "CO",
        5,
        "gf",
        "+57",
        "Sebastián, Valentina, Andrés, Catalina, Julián",
        "Muñoz, Gómez, Peña, Zúñiga, Castaño",
        (
            "Cámara de Comercio de Medellín|C|s",
            "iNNpulsa Colombia|I|s",
            "Asociación de Caficultores del Huila|M|a",
            "Universidad de los Andes|K|s",
        ),
    ),
    (
        "PE",
        5,
        "gf",
        "+51",
        "Rosa, Wilfredo, Yesenia, Edwin, Nélida",
        "Quispe, Mamani, Huamán, Condori, Ñahui",
        (
            "Ministerio de la Producción|P|i",
            "Gamarra Textile Cluster|C|i",
            "Cooperativa Agraria Cafetalera Pangoa|M|a",
            "Pontificia Universidad Católica del Perú|K|s",
        ),
    ),
    (
        "CL",
        3,
        "gf",
        "+56",
        "Francisca, Matías, Constanza",
        "González, Muñoz, Rojas",
        (
            "Corporación de Fomento de la Producción|I|s",
            "Asociación de Vinos del Valle del Maule|C|a",
        ),
    ),
    (
        "AR",
        3,
        "gf",
        "+54",
        "Martín, Lucía, Agustín",
        "Fernández, Pérez, Giménez",
        ("Secretaría de la Pequeña y Mediana Empresa|P|i", "Clúster Metalmecánico de Rafaela|C|i"),
    ),
    (
        "EC",
        3,
        "gf",
        "+593",
        "Daniela, Patricio, Mishel",
        "Andrade, Cevallos, Yánez",
        ("Corporación Financiera Nacional|F|s", "Asociación de Cacaoteros de Manabí|M|a"),
    ),
    (
        "BO",
        3,
        "gf",
        "+591",
        "Wilma, Freddy, Jhenny",
        "Choque, Flores, Ticona",
        (
            "Ministerio de Desarrollo Productivo y Economía Plural|P|i",
            "El Alto Textile Producers' Association|C|i",
        ),
    ),
    (
        "GT",
        3,
        "gf",
        "+502",
        "Ixchel, Byron, Marleny",
        "Pérez, Ajú, Tzoc",
        (
            "Asociación Guatemalteca de Exportadores|C|s",
            "Cooperativa de Tejedoras de Santiago Atitlán|M|i",
        ),
    ),
)

# Delegates of international organisations and agencies, from any country.
INTERNATIONAL: tuple[tuple[str, str, str, str], ...] = (
    (
        "Elena Rossi-Ndlovu",
        "AT",
        "United Nations Industrial Development Organization (UNIDO)|O|i",
        "+43",
    ),
    (
        "Tomás Villalobos",
        "AT",
        "United Nations Industrial Development Organization (UNIDO)|O|i",
        "+43",
    ),
    (
        "Hannah Okonjo-Berger",
        "DE",
        "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ)|I|s",
        "+49",
    ),
    ("Rajiv Menon-Clarke", "PH", "Asian Development Bank|O|s", "+63"),
    ("Adaeze Nwosu", "CI", "African Development Bank|O|s", "+225"),
    ("Camila Ferreira", "US", "Inter-American Development Bank|O|s", "+1"),
    ("Björn Lindqvist", "SE", "Global Cluster Competitiveness Network|O|s", "+46"),
    ("Nadia Haddad", "CH", "International Labour Organization|O|s", "+41"),
)

# How many of the generated delegates end up pending, cancelled, speakers, press;
# how many visa letter requests there are (the demo delegate's one is approved).
PENDING = 4
CANCELLED = 6
SPEAKERS = 14
PRESS = 3
VISA_REQUESTS = 6
