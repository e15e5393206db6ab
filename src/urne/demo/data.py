"""The demonstration's raw material: names, academies, corps, establishments, fictional unions.

Everything here is invented for the demonstration, except the Dijon assistance contact, which
is the one printed in the ministry's 2014 guide. The other telephone numbers are in the ranges
ARCEP reserves for fiction (01 99 00…, 04 65 71…). The unions and their programmes are fictional
and written for urne: any resemblance to a real organisation is unintended.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# fmt: off
WOMEN: Final = (
    "Anne", "Camille", "Catherine", "Céline", "Chantal", "Christine", "Claire", "Claudine",
    "Corinne", "Delphine", "Élodie", "Émilie", "Florence", "Françoise", "Hélène", "Isabelle",
    "Julie", "Karine", "Laetitia", "Laurence", "Léa", "Lucie", "Magali", "Manon", "Marie",
    "Marion", "Martine", "Mathilde", "Nadia", "Nathalie", "Pascale", "Patricia", "Sabine",
    "Samia", "Sandrine", "Sophie", "Stéphanie", "Sylvie", "Valérie", "Véronique", "Virginie",
    "Yasmina", "Agnès", "Aurélie", "Bérénice", "Estelle", "Fatima", "Géraldine", "Inès",
    "Jeanne", "Louise", "Maëlle", "Noémie", "Odile", "Pauline", "Rachel", "Solène",
)
MEN: Final = (
    "Alain", "Alexandre", "Antoine", "Arnaud", "Benoît", "Bernard", "Bruno", "Cédric",
    "Christophe", "Damien", "David", "Didier", "Éric", "Fabrice", "Franck", "François",
    "Frédéric", "Gilles", "Guillaume", "Hervé", "Jacques", "Jean", "Jean-Marc", "Jean-Pierre",
    "Jérôme", "Julien", "Karim", "Laurent", "Léo", "Luc", "Marc", "Mathieu", "Michel", "Mehdi",
    "Nicolas", "Olivier", "Pascal", "Patrick", "Philippe", "Pierre", "Rachid", "Raphaël",
    "Rémi", "Samuel", "Sébastien", "Stéphane", "Thierry", "Thomas", "Vincent", "Xavier",
    "Yann", "Yves", "Adrien", "Baptiste", "Hugo", "Lucas", "Maxime",
)
SURNAMES: Final = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément",
    "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez",
    "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger",
    "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Perez", "Marchand", "Dufour",
    "Blanchard", "Marie", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin",
    "Fernandez", "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc",
    "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe", "Leclercq",
    "Lacroix", "Fabre", "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert", "Louis",
    "Charles", "Guillot", "Rivière", "Le Gall", "Guillaume", "Adam", "Rey", "Moulin", "Gonzalez",
    "Berger", "Lecomte", "Ménard", "Fleury", "Deschamps", "Carpentier", "Julien", "Benoît",
    "Paris", "Maillard", "Marchal", "Aubry", "Vasseur", "Le Roux", "Renault", "Jacquet",
    "Collet", "Prévost", "Poirier", "Charpentier", "Royer", "Huet", "Baron", "Dupuy", "Pons",
    "Paul", "Laine", "Carré", "Breton", "Rémy", "Schneider", "Perrot", "Guyot", "Barre", "Marty",
    "Cousin", "Haddad", "Benali", "Belkacem", "Ferreira", "Pereira", "Tran", "Diallo", "Traoré",
)
# Patrons of schools, as found all over France.
PATRONS: Final = (
    "Victor-Hugo", "Jean-Moulin", "Jules-Ferry", "Marie-Curie", "Louis-Pasteur", "Condorcet",
    "Gustave-Eiffel", "Albert-Camus", "Simone-Veil", "Jean-Jaurès", "Colette", "Paul-Éluard",
    "Camille-Claudel", "George-Sand", "Jacques-Prévert", "Montesquieu", "Voltaire",
    "Marcel-Pagnol", "Émile-Zola", "Louise-Michel", "Jean-Macé", "Olympe-de-Gouges",
    "Antoine-de-Saint-Exupéry", "Pierre-Mendès-France", "Lucie-Aubrac", "Germaine-Tillion",
)
# fmt: on


@dataclass(frozen=True)
class AcademyData:
    code: str
    name: str
    mail_domain: str
    assistance_email: str
    assistance_phone: str
    towns: tuple[str, ...]
    department: str  # with its article: "de la Côte-d'Or"
    department_code: str
    department_towns: tuple[str, ...]


ACADEMIES: Final = (
    AcademyData(
        code="dijon",
        name="Dijon",
        mail_domain="ac-dijon.fr",
        assistance_email="elections2014@ac-dijon.fr",
        assistance_phone="03.80.44.89.95",
        towns=("Dijon", "Beaune", "Chalon-sur-Saône", "Mâcon", "Nevers", "Auxerre", "Sens"),
        department="de la Côte-d'Or",
        department_code="21",
        department_towns=("Dijon", "Beaune", "Montbard", "Is-sur-Tille", "Chenôve"),
    ),
    AcademyData(
        code="lyon",
        name="Lyon",
        mail_domain="ac-lyon.fr",
        assistance_email="elections2014@ac-lyon.fr",
        assistance_phone="04.65.71.20.14",
        towns=("Lyon", "Villeurbanne", "Vénissieux", "Saint-Étienne", "Roanne", "Bourg-en-Bresse"),
        department="du Rhône",
        department_code="69",
        department_towns=("Lyon", "Villeurbanne", "Vénissieux", "Villefranche-sur-Saône", "Bron"),
    ),
    AcademyData(
        code="versailles",
        name="Versailles",
        mail_domain="ac-versailles.fr",
        assistance_email="elections2014@ac-versailles.fr",
        assistance_phone="01.99.00.20.14",
        towns=("Versailles", "Nanterre", "Cergy", "Évry", "Argenteuil", "Saint-Germain-en-Laye"),
        department="des Yvelines",
        department_code="78",
        department_towns=("Versailles", "Saint-Germain-en-Laye", "Mantes-la-Jolie", "Rambouillet"),
    ),
)


@dataclass(frozen=True)
class CorpsData:
    """A corps of the Éducation nationale, where its members work and what they vote for."""

    key: str
    corps: str
    grades: tuple[str, ...]
    weight: int  # share of the demonstration's electors
    workplaces: tuple[str, ...]  # establishment kinds, see ESTABLISHMENT_KINDS


CORPS: Final = (
    CorpsData(
        "certifie",
        "Professeur certifié",
        ("Classe normale", "Hors classe"),
        34,
        ("lycee", "college"),
    ),
    CorpsData(
        "ecoles",
        "Professeur des écoles",
        ("Classe normale", "Hors classe"),
        30,
        ("ecole_elementaire", "ecole_maternelle"),
    ),
    CorpsData(
        "agrege", "Professeur agrégé", ("Classe normale", "Hors classe"), 9, ("lycee", "college")
    ),
    CorpsData(
        "plp",
        "Professeur de lycée professionnel",
        ("Classe normale", "Hors classe"),
        8,
        ("lycee_pro",),
    ),
    CorpsData(
        "cpe",
        "Conseiller principal d'éducation",
        ("Classe normale", "Hors classe"),
        5,
        ("lycee", "college", "lycee_pro"),
    ),
    CorpsData(
        "attache",
        "Attaché d'administration de l'État",
        ("Attaché", "Attaché principal"),
        4,
        ("rectorat", "dsden"),
    ),
    CorpsData(
        "saenes",
        "Secrétaire administratif de l'éducation nationale",
        ("Classe normale", "Classe supérieure", "Classe exceptionnelle"),
        5,
        ("rectorat", "dsden", "lycee", "college"),
    ),
    CorpsData(
        "adjaenes",
        "Adjoint administratif de l'éducation nationale",
        ("Adjoint administratif principal de 2e classe", "Adjoint administratif de 1re classe"),
        5,
        ("college", "lycee", "dsden"),
    ),
)

ESTABLISHMENT_KINDS: Final = {
    "lycee": "Lycée {patron}, {town}",
    "college": "Collège {patron}, {town}",
    "lycee_pro": "Lycée professionnel {patron}, {town}",
    "ecole_elementaire": "École élémentaire {patron}, {town}",
    "ecole_maternelle": "École maternelle {patron}, {town}",
    "rectorat": "Rectorat de l'académie de {academy}, {town}",
    "dsden": "Direction des services départementaux de l'éducation nationale, {town}",
}


@dataclass(frozen=True)
class UnionData:
    acronym: str
    name: str
    slogan: str
    colour: str  # the banner of its profession de foi
    programme: tuple[str, ...]


UNIONS: Final = (
    UnionData(
        acronym="UEPL",
        name="Union pour l'école publique et laïque",
        slogan="Une école publique exigeante pour tous",
        colour="#1f4e79",
        programme=(
            "Nous défendons une école publique et laïque qui donne à chaque élève les moyens de "
            "réussir : des classes moins chargées, des remplaçants en nombre suffisant et des "
            "horaires disciplinaires respectés.",
            "Pour les personnels, nous demandons la revalorisation de tous les échelons, des "
            "promotions fondées sur des règles connues de tous et une formation continue prise "
            "sur le temps de travail.",
            "Vos élus rendront compte de chaque séance et vous accompagneront dans vos démarches : "
            "mutations, avancement, recours.",
        ),
    ),
    UnionData(
        acronym="SAPE",
        name="Syndicat autonome des personnels de l'éducation",
        slogan="Indépendants, proches de vous",
        colour="#7a2e0e",
        programme=(
            "Indépendants de tout parti, nous portons la parole des personnels tels qu'ils sont : "
            "attachés à leur métier, lassés des réformes imposées sans concertation.",
            "Nous demandons le respect du statut, la liberté pédagogique et un allègement des "
            "tâches administratives qui éloignent les enseignants de leurs élèves.",
            "Dans les commissions, nous examinerons chaque situation individuelle avec la même "
            "rigueur, sans clientélisme.",
        ),
    ),
    UnionData(
        acronym="CME",
        name="Collectif des métiers de l'éducation",
        slogan="Tous les métiers, une seule équipe",
        colour="#2e6b30",
        programme=(
            "Professeurs, CPE, personnels administratifs : l'école fonctionne grâce à tous ses "
            "métiers. Nous voulons que chacun soit reconnu et entendu.",
            "Nous proposons des équipes pluriprofessionnelles complètes dans chaque établissement "
            "et une médecine de prévention digne de ce nom.",
            "Nous défendrons l'égalité entre les femmes et les hommes dans les carrières, les "
            "promotions et les rémunérations.",
        ),
    ),
    UnionData(
        acronym="RÉSO",
        name="Réseau solidaire de l'éducation",
        slogan="Solidaires, pour une autre école",
        colour="#8a1538",
        programme=(
            "Nous voulons une école qui réduit les inégalités au lieu de les reproduire : "
            "priorité aux territoires en difficulté et à l'éducation prioritaire.",
            "Nous refusons la précarité : titularisation des contractuels et fin du recours "
            "systématique aux heures supplémentaires.",
            "Nous faisons le choix de la démocratie syndicale : vos élus sont mandatés par les "
            "personnels, réunis en assemblées.",
        ),
    ),
    UnionData(
        acronym="APAE",
        name="Alliance des personnels administratifs de l'éducation",
        slogan="Les services administratifs ont des droits",
        colour="#4b3b8f",
        programme=(
            "Sans les personnels administratifs, ni paie, ni examens, ni inscriptions. Nous "
            "demandons des effectifs à la hauteur des missions des services.",
            "Nous voulons des promotions plus nombreuses de catégorie C en B et de B en A, et "
            "une indemnité de fonctions harmonisée entre les académies.",
            "Nous accompagnerons chaque collègue dans ses démarches de mobilité.",
        ),
    ),
)
JOINT_SLOGAN: Final = "Ensemble pour le service public d'éducation"
