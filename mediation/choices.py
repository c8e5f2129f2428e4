"""Choices of the mediation app, as classes (one place for every enumeration)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    """The levels of the governance tree (治理层级)."""

    CITY = 1, _("City")
    DISTRICT = 2, _("District")
    STREET = 3, _("Street/Town")
    COMMUNITY = 4, _("Community/Village")
    GRID = 5, _("Grid")


class RegionKind(models.TextChoices):
    """What a region is called at its level: a street (街道) or a town (镇), a community (社区) or a village (村)."""

    MUNICIPALITY = "municipality", _("Municipality")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    TOWN = "town", _("Town")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    GRID = "grid", _("Grid")


class UnitKind(models.TextChoices):
    """What sort of body a Unit (单位) is."""

    PARTY = "party", _("Party committee body")
    GOVERNMENT = "government", _("Government department")
    JUDICIAL = "judicial", _("Court or procuratorate")
    PEOPLES_ORG = "peoples_org", _("People's organization")
    STREET_GOVERNMENT = "street_government", _("Street/town government")
    OFFICE = "office", _("Grand-mediation office")
    COURT = "court", _("People's court or tribunal")
    POLICE_STATION = "police_station", _("Police station")
    PETITION_HALL = "petition_hall", _("Petition reception hall")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    """The roles of the platform; each is a Django group carrying its model permissions."""

    GRID_WORKER = "grid_worker", _("Grid worker")
    MEDIATOR = "mediator", _("Mediator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    LIAISON = "liaison", _("Department liaison")
    SUPERVISOR = "supervisor", _("Supervisor")
    OFFICE_ADMIN = "office_admin", _("Grand-mediation office")
    AUDITOR = "auditor", _("Auditor")
    API_CLIENT = "api_client", _("API client")


class OrganizationKind(models.TextChoices):
    """Kinds of mediation organization (调解组织) named by the plan."""

    PLATFORM = "platform", _("Comprehensive mediation platform")
    MAJOR_DISPUTE_CENTRE = "major_centre", _("District major-dispute people's mediation committee (centre)")
    STREET_COMMITTEE = "street_committee", _("Street/town people's mediation committee")
    COMMUNITY_COMMITTEE = "community_committee", _("Community/village people's mediation committee")
    ENTERPRISE_COMMITTEE = "enterprise_committee", _("Enterprise people's mediation committee")
    INDUSTRY_COMMITTEE = "industry_committee", _("Industry/professional mediation committee")
    INDUSTRY_ROOM = "industry_room", _("Industry/professional mediation room (district centre)")
    COURT_ROOM = "court_room", _("Mediation room at the court")
    POLICE_ROOM = "police_room", _("Mediation room at a police station")
    PETITION_ROOM = "petition_room", _("Petition-matter mediation room")
    ADMINISTRATIVE_ROOM = "administrative_room", _("Administrative mediation room")
    LAWYER = "lawyer", _("Lawyer mediation")
    COMMERCIAL = "commercial", _("Commercial mediation")
    BRAND_STUDIO = "brand_studio", _("Brand mediation studio")
    PSYCHOLOGICAL = "psychological", _("Psychological service")
    FIELD_ROOM = "field_room", _("People's mediation room in a field")


class MediationField(models.TextChoices):
    """Fields (领域) of industry/professional mediation named by the plan (tasks 2, 3, 6)."""

    MEDICAL = "medical", _("Doctor-patient disputes")
    TRAFFIC = "traffic", _("Road traffic")
    PROPERTY = "property", _("Property management")
    CITY = "city", _("City management")
    LABOUR = "labour", _("Labour disputes")
    EXPROPRIATION = "expropriation", _("Land expropriation and demolition")
    ECOLOGY = "ecology", _("Ecology and environment")
    MARRIAGE = "marriage", _("Marriage and family")
    CONSTRUCTION = "construction", _("Building construction")
    TOURISM = "tourism", _("Tourism")
    CONSUMER = "consumer", _("Consumer")
    COMMERCE = "commerce", _("Commerce")
    IP = "ip", _("Intellectual property")
    INTERNET = "internet", _("Internet")
    PSYCHOLOGY = "psychology", _("Psychological service")


# Task 3: the twelve fields that must have an industry/professional mediation organization.
INDUSTRY_FIELDS = [
    MediationField.MEDICAL,
    MediationField.TRAFFIC,
    MediationField.PROPERTY,
    MediationField.CITY,
    MediationField.LABOUR,
    MediationField.EXPROPRIATION,
    MediationField.ECOLOGY,
    MediationField.MARRIAGE,
    MediationField.CONSTRUCTION,
    MediationField.TOURISM,
    MediationField.CONSUMER,
    MediationField.COMMERCE,
]
# Task 6: the seven fields that must have a people's mediation room.
ROOM_FIELDS = [
    MediationField.CONSUMER,
    MediationField.TOURISM,
    MediationField.ECOLOGY,
    MediationField.IP,
    MediationField.INTERNET,
    MediationField.CONSTRUCTION,
    MediationField.MARRIAGE,
]


class Background(models.TextChoices):
    """Backgrounds of mediators and volunteers the plan wants to draw on (task 19)."""

    PARTY_DELEGATE = "party_delegate", _("Party congress delegate")
    NPC_DEPUTY = "npc_deputy", _("People's congress deputy")
    CPPCC_MEMBER = "cppcc_member", _("CPPCC member")
    FIVE_ELDERS = "five_elders", _("'Five elders'")
    PROFESSIONAL = "professional", _("Professional or technical staff")
    COMMUNITY_WORKER = "community_worker", _("Urban or rural community worker")
    SELECTED_GRADUATE = "selected_graduate", _("Selected graduate / college-graduate village official")
    LAWYER = "lawyer", _("Lawyer")
    COUNSELLOR = "counsellor", _("Psychological counsellor")
    VOLUNTEER = "volunteer", _("Volunteer")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class MediatorStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DISMISSED = "dismissed", _("Dismissed")


class AppointmentRole(models.TextChoices):
    DIRECTOR = "director", _("Director")
    DEPUTY_DIRECTOR = "deputy_director", _("Deputy director")
    MEMBER = "member", _("Committee member")
    MEDIATOR = "mediator", _("Mediator")


class TrainingLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street/town")
