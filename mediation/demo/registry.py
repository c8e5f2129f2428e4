"""Demo registry for Dadukou: an imperfect but plausible picture, so the indicators have something to show.

The district major-dispute mediation centre with nine industry rooms (not all twelve fields), industry
committees, a committee in every street/town and in most demo communities, enterprise committees, the court
and two tribunals with rooms, a police station per street/town (two with fewer than 20 officers) and rooms in
most eligible ones, the petition reception centre with its room, administrative rooms in four of the five key
departments, lawyer and commercial mediation (one foreign-related), six brand studios named after mediators,
a psychological service, field rooms for five of the seven fields; about 200 mediators with appointments
(staffing partly met, some committees without a woman), about 20 experts, trainings this year and last, and a
few discipline-log entries.

Everything is generated from fixed lists and a seeded random generator, so a second run finds every row it
would create (organizations by region + kind + name, mediators by ID number, appointments by mediator +
organization + start date) and adds nothing. Units have no demo flag: the demo units' codes start "demo-".
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from mediation.choices import (
    AppointmentRole,
    Background,
    Gender,
    MediationField,
    MediatorStatus,
    OrganizationKind,
    RegionLevel,
    TrainingLevel,
    UnitKind,
)
from mediation.demo.common import AREA, id_number

D = dt.date
SEED = 500104

SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚卢"
    "傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江薛尹段雷黎史龙陶贺顾毛郝龚邵万严覃向汤"
)
MALE_CHARS = "建国志强德明华军平伟勇斌刚涛海波峰林松柏文武忠杰俊江川成宏兴发启永福庆祥光荣"
FEMALE_CHARS = "秀英芳玲兰敏静丽霞红梅燕萍琴云莉娟洁婷雪琳慧娜丹蓉晓春桂珍凤翠莲月"
EDUCATION = ["高中", "中专", "大专", "大专", "本科", "本科", "本科", "硕士研究生"]
PHONE_PREFIXES = ["133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177"]
PHONE_PREFIXES += ["180", "181", "182", "183", "187", "188", "189", "199"]


# --- the plan ---------------------------------------------------------------------------------------------------


@dataclass
class Person:
    name: str
    gender: str
    id_number: str
    phone: str
    birth_year: int
    education: str
    is_party_member: bool
    backgrounds: list[str]
    qualifications: str
    region_code: str


@dataclass
class Post:
    person: int  # index into the people list
    role: str
    is_full_time: bool
    started_on: dt.date
    ended_on: dt.date | None = None


@dataclass
class Org:
    name: str
    kind: str
    region_code: str
    host: str | None = None  # unit code
    fields: list[str] = field(default_factory=list)
    hosted_in: str | None = None  # name of the centre
    established_on: dt.date | None = None
    has_party_organization: bool = False
    online_capable: bool = False
    is_foreign_related: bool = False
    address: str = ""
    posts: list[Post] = field(default_factory=list)
    named_after: int | None = None


class Planner:
    """Builds the whole picture in memory from the seeded generator (no database writes)."""

    def __init__(self, streets, communities):
        self.rng = random.Random(SEED)
        self.streets = streets  # [(code, name)]
        self.communities = communities  # [(code, name, street code)]
        self.people: list[Person] = []
        self.orgs: list[Org] = []
        self._ids: set[str] = set()
        self._phones: set[str] = set()

    # people ------------------------------------------------------------------------------------------------------

    def person(self, region_code, *, woman=None, backgrounds=(), qualifications="", young=False) -> int:
        rng = self.rng
        if woman is None:
            woman = rng.random() < 0.42
        surname = rng.choice(SURNAMES)
        chars = FEMALE_CHARS if woman else MALE_CHARS
        given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2, 2))))
        year = rng.randint(1988, 1998) if young else rng.randint(1956, 1990)
        birth = D(year, rng.randint(1, 12), rng.randint(1, 28))
        while True:
            seq = rng.randrange(0, 500) * 2 + (0 if woman else 1)
            number = id_number(birth, seq)
            if number not in self._ids:
                self._ids.add(number)
                break
        while True:
            phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                break
        backgrounds = list(backgrounds)
        if young and rng.random() < 0.5:
            backgrounds.append(Background.SELECTED_GRADUATE)
        self.people.append(
            Person(
                name=surname + given,
                gender=Gender.FEMALE if woman else Gender.MALE,
                id_number=number,
                phone=phone,
                birth_year=year,
                education=rng.choice(EDUCATION),
                is_party_member=rng.random() < 0.55,
                backgrounds=list(dict.fromkeys(str(b) for b in backgrounds)),
                qualifications=qualifications,
                region_code=region_code,
            )
        )
        return len(self.people) - 1

    def backgrounds(self, pool, chance=0.8) -> list[str]:
        if self.rng.random() > chance:
            return []
        return self.rng.sample(pool, k=min(len(pool), self.rng.choice((1, 1, 2))))

    def start(self, org: Org) -> dt.date:
        first = org.established_on or D(2018, 1, 1)
        start = D(self.rng.randint(max(first.year, 2018), 2024), self.rng.randint(1, 12), 1)
        return max(start, first)

    def staff(
        self,
        org: Org,
        size: int,
        full_time: int,
        *,
        committee: bool = False,
        no_women: bool = False,
        pool=(Background.COMMUNITY_WORKER, Background.FIVE_ELDERS, Background.VOLUNTEER),
        qualifications: str = "",
        reuse: list[int] | None = None,
    ) -> None:
        """`size` people, the first `full_time` of them full-time; people from `reuse` come last (as
        part-time members: they already serve elsewhere)."""
        reuse = list(reuse or [])[:size]
        new = size - len(reuse)
        roles = (
            [AppointmentRole.DIRECTOR, AppointmentRole.DEPUTY_DIRECTOR] + [AppointmentRole.MEMBER] * 7
            if committee
            else [AppointmentRole.MEDIATOR] * 9
        )
        women = 0
        for i in range(size):
            if i >= new:
                index = reuse[i - new]
            else:
                woman = None
                if no_women:
                    woman = False
                elif committee and i == new - 1 and not women:
                    woman = True  # Art. 8: a committee includes a woman (the demo breaks it on purpose only)
                index = self.person(
                    org.region_code,
                    woman=woman,
                    backgrounds=self.backgrounds(list(pool)),
                    qualifications=qualifications,
                    young=self.rng.random() < 0.15,
                )
            women += self.people[index].gender == Gender.FEMALE
            role = roles[i] if i < len(roles) else AppointmentRole.MEDIATOR
            org.posts.append(Post(index, role, i < full_time and i < new, self.start(org)))

    def org(self, name, kind, region_code, **extra) -> Org:
        rng = self.rng
        extra.setdefault("established_on", D(rng.randint(2012, 2022), rng.randint(1, 12), rng.randint(1, 28)))
        extra.setdefault("has_party_organization", rng.random() < 0.4)
        extra.setdefault("online_capable", rng.random() < 0.6)
        org = Org(name, kind, region_code, **extra)
        self.orgs.append(org)
        return org

    # organizations -----------------------------------------------------------------------------------------------

    def build(self) -> Planner:
        district = AREA
        centre = self.org(
            "大渡口区重大矛盾纠纷人民调解委员会（调解中心）",
            OrganizationKind.MAJOR_DISPUTE_CENTRE,
            district,
            host="sfj",
            established_on=D(2021, 6, 18),
            has_party_organization=True,
            online_capable=True,
            address="大渡口区文体路126号",
        )
        self.staff(centre, 7, 3, committee=True, pool=[Background.LAWYER, Background.PROFESSIONAL])
        rooms = [
            ("医疗纠纷调解室", MediationField.MEDICAL, "wjw"),
            ("道路交通事故纠纷调解室", MediationField.TRAFFIC, "gaj"),
            ("物业纠纷调解室", MediationField.PROPERTY, "zjw"),
            ("劳动争议调解室", MediationField.LABOUR, "rsj"),
            ("婚姻家庭纠纷调解室", MediationField.MARRIAGE, "fl"),
            ("建设工程纠纷调解室", MediationField.CONSTRUCTION, "zjw"),
            ("消费纠纷调解室", MediationField.CONSUMER, "scj"),
            ("商事纠纷调解室", MediationField.COMMERCE, "gsl"),
            ("生态环境纠纷调解室", MediationField.ECOLOGY, "sthj"),
        ]
        self.industry = []
        for name, fld, host in rooms:
            room = self.org(
                name,
                OrganizationKind.INDUSTRY_ROOM,
                district,
                host=host,
                fields=[fld],
                hosted_in=centre.name,
                established_on=D(2021, 6, 18),
            )
            self.staff(room, 2, 1, pool=[Background.PROFESSIONAL, Background.LAWYER])
            self.industry.append(room)
        committees = [
            ("大渡口区医疗纠纷人民调解委员会", MediationField.MEDICAL, "wjw", 6, 4, False),
            ("大渡口区道路交通事故纠纷人民调解委员会", MediationField.TRAFFIC, "gaj", 5, 3, True),
            ("大渡口区物业纠纷人民调解委员会", MediationField.PROPERTY, "zjw", 5, 3, False),
            ("大渡口区劳动争议人民调解委员会", MediationField.LABOUR, "rsj", 5, 2, False),
            ("大渡口区婚姻家庭纠纷人民调解委员会", MediationField.MARRIAGE, "fl", 4, 3, False),
            ("大渡口区城市管理纠纷人民调解委员会", MediationField.CITY, "cgj", 4, 1, False),
        ]
        for name, fld, host, size, full_time, no_women in committees:
            committee = self.org(name, OrganizationKind.INDUSTRY_COMMITTEE, district, host=host, fields=[fld])
            self.staff(
                committee,
                size,
                full_time,
                committee=True,
                no_women=no_women,
                pool=[Background.PROFESSIONAL, Background.LAWYER, Background.FIVE_ELDERS],
            )
            self.industry.append(committee)
        self._district_rooms(district)
        self._streets()
        return self

    def _district_rooms(self, district):
        court = self.org(
            "大渡口区人民法院诉调对接人民调解工作室", OrganizationKind.COURT_ROOM, district, host="fy"
        )
        self.staff(court, 2, 2, pool=[Background.LAWYER])
        tribunal = self.org(
            "跳磴人民法庭人民调解工作室", OrganizationKind.COURT_ROOM, "500104103", host="demo-court-tiaodeng"
        )
        self.staff(tribunal, 2, 1, pool=[Background.LAWYER, Background.FIVE_ELDERS])
        petition = self.org(
            "区信访事项人民调解室", OrganizationKind.PETITION_ROOM, district, host="demo-xfzx"
        )
        self.staff(petition, 3, 2)
        for code, unit_name in [
            ("gaj", "区公安分局"),
            ("zjw", "区住房城乡建委"),
            ("ghzy", "区规划和自然资源局"),
        ]:
            room = self.org(
                f"{unit_name}行政调解室", OrganizationKind.ADMINISTRATIVE_ROOM, district, host=code
            )
            self.staff(room, 2, 0, pool=[Background.PROFESSIONAL])
        room = self.org("区生态环境局行政调解室", OrganizationKind.ADMINISTRATIVE_ROOM, district, host="sthj")
        self.staff(room, 1, 0, pool=[Background.PROFESSIONAL])
        lawyer = self.org("大渡口区律师调解工作室", OrganizationKind.LAWYER, district, host="sfj")
        self.staff(lawyer, 3, 0, pool=[Background.LAWYER], qualifications="律师执业证")
        commercial = self.org(
            "大渡口区商事调解中心",
            OrganizationKind.COMMERCIAL,
            district,
            host="gsl",
            fields=[MediationField.COMMERCE],
        )
        self.staff(commercial, 2, 1, pool=[Background.LAWYER, Background.PROFESSIONAL])
        foreign = self.org(
            "大渡口区涉外商事调解室",
            OrganizationKind.COMMERCIAL,
            district,
            host="swj",
            fields=[MediationField.COMMERCE],
            is_foreign_related=True,
        )
        self.staff(foreign, 2, 0, pool=[Background.LAWYER], qualifications="国家法律职业资格")
        psych = self.org(
            "大渡口区社会心理服务调解工作室",
            OrganizationKind.PSYCHOLOGICAL,
            district,
            host="wjw",
            fields=[MediationField.PSYCHOLOGY],
        )
        self.staff(psych, 2, 1, pool=[Background.COUNSELLOR], qualifications="心理咨询师")
        field_rooms = [
            ("消费纠纷人民调解室", MediationField.CONSUMER, "500104005", "scj"),
            ("旅游纠纷人民调解室", MediationField.TOURISM, "500104103", "wlw"),
            ("生态环境纠纷人民调解室", MediationField.ECOLOGY, "500104004", "sthj"),
            ("建筑施工纠纷人民调解室", MediationField.CONSTRUCTION, "500104102", "zjw"),
            ("婚姻家庭纠纷人民调解室", MediationField.MARRIAGE, "500104003", "fl"),
        ]
        for name, fld, region_code, host in field_rooms:
            room = self.org(name, OrganizationKind.FIELD_ROOM, region_code, host=host, fields=[fld])
            self.staff(room, 2, 1)

    # Per street/town: committee size and full-time count; two fall short of the minimum of 2.
    STREET_STAFF = [(7, 2), (6, 3), (6, 2), (5, 1), (6, 2), (7, 2), (5, 0), (6, 2)]
    # Police station officers per street/town: two stations have fewer than 20.
    OFFICERS = [38, 26, 45, 17, 31, 22, 14, 29]
    # Police rooms: size and full-time count per station (None: no room yet).
    POLICE_ROOMS = [(2, 2), (3, 2), (2, 1), (2, 0), None, (2, 2), None, (2, 1)]
    # Demo communities without a committee yet (task 5 gaps).
    NO_COMMITTEE = {"500104004903", "500104005903", "500104102902"}
    ENTERPRISES = [
        ("500104001", "新山村物业服务企业人民调解委员会", 1),
        ("500104002", "跃进村商圈企业人民调解委员会", 1),
        ("500104102", "建桥工业园区企业人民调解委员会", 0),
    ]

    def _streets(self):
        street_members: dict[str, list[int]] = {}
        for index, (code, name) in enumerate(self.streets):
            directors = []
            for c_code, c_name, s_code in self.communities:
                if s_code != code or c_code in self.NO_COMMITTEE:
                    continue
                committee = self.org(f"{c_name}人民调解委员会", OrganizationKind.COMMUNITY_COMMITTEE, c_code)
                size = 2 if c_code == "500104003902" else self.rng.choice((3, 3, 3, 4))
                full_time = 1 if self.rng.random() < 0.7 else 0
                no_women = c_code in {"500104002901", "500104101903"}
                self.staff(committee, size, full_time, committee=True, no_women=no_women)
                directors.append(committee.posts[0].person)
            size, full_time = self.STREET_STAFF[index % len(self.STREET_STAFF)]
            committee = self.org(
                f"{name}人民调解委员会",
                OrganizationKind.STREET_COMMITTEE,
                code,
                host=f"gov-{code}",
                has_party_organization=True,
            )
            # Two community directors also sit on their street's committee.
            self.staff(
                committee,
                size,
                full_time,
                committee=True,
                no_women=code == "500104004",
                reuse=[] if code == "500104004" else directors[:2],
            )
            street_members[code] = [p.person for p in committee.posts]
            room = self.POLICE_ROOMS[index % len(self.POLICE_ROOMS)]
            if room is not None:
                police = self.org(
                    f"{_stem(name)}派出所人民调解室",
                    OrganizationKind.POLICE_ROOM,
                    code,
                    host=f"demo-pcs-{code}",
                )
                self.staff(police, room[0], room[1], pool=[Background.FIVE_ELDERS, Background.VOLUNTEER])
        for code, name, full_time in self.ENTERPRISES:
            enterprise = self.org(name, OrganizationKind.ENTERPRISE_COMMITTEE, code)
            self.staff(
                enterprise, 3, full_time, committee=True, pool=[Background.PROFESSIONAL, Background.VOLUNTEER]
            )
        self._brand_studios(street_members)

    STUDIO_NAMES = [
        "老{s}调解工作室",
        "{s}大姐说和工作室",
        "{n}调解工作室",
        "和事佬{s}工作室",
        "老{s}说事室",
        "{n}心连心调解工作室",
    ]
    STUDIO_STREETS = ["500104001", "500104002", "500104003", "500104005", "500104101", "500104103"]

    def _brand_studios(self, street_members):
        for template, code in zip(self.STUDIO_NAMES, self.STUDIO_STREETS, strict=True):
            members = street_members[code]
            if "大姐" in template:
                members = [m for m in members if self.people[m].gender == Gender.FEMALE] or members
            namesake = members[0]
            person = self.people[namesake]
            name = template.format(s=person.name[0], n=person.name)
            studio = self.org(
                name, OrganizationKind.BRAND_STUDIO, code, host=f"gov-{code}", named_after=namesake
            )
            self.staff(studio, 2, 0, reuse=[namesake])


def _stem(street_name: str) -> str:
    return street_name.removesuffix("街道").removesuffix("镇")


# --- writing ------------------------------------------------------------------------------------------------------


def _units(district, streets) -> None:
    from mediation.models import Region, Unit, UnitHeadcount

    by_code = {u.code: u for u in Unit.objects.filter(code__in=["fy", "gaj", "xfb"])}

    def unit(code, name, kind, region, parent):
        obj, _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "region": region, "parent": parent}
        )
        return obj

    regions = {r.code: r for r in Region.objects.filter(code__in=[s for s, _ in streets])}
    unit("demo-court-tiaodeng", "跳磴人民法庭", UnitKind.COURT, regions["500104103"], by_code.get("fy"))
    unit("demo-court-bajiao", "八桥人民法庭", UnitKind.COURT, regions["500104101"], by_code.get("fy"))
    unit("demo-xfzx", "区信访接待中心", UnitKind.PETITION_HALL, district, by_code.get("xfb"))
    for index, (code, name) in enumerate(streets):
        station = unit(
            f"demo-pcs-{code}",
            f"{_stem(name)}派出所",
            UnitKind.POLICE_STATION,
            regions[code],
            by_code.get("gaj"),
        )
        station.jurisdiction.add(regions[code])  # the demo's stations each cover one street/town
        officers = Planner.OFFICERS[index % len(Planner.OFFICERS)]
        if officers == 22:
            # Grew past the threshold this year: task 7 counts it from then on, not before.
            UnitHeadcount.objects.get_or_create(
                unit=station, valid_from=D(2022, 1, 1), defaults={"officers": 19}
            )
            UnitHeadcount.objects.get_or_create(
                unit=station, valid_from=D(2026, 3, 1), defaults={"officers": 22}
            )
        else:
            UnitHeadcount.objects.get_or_create(
                unit=station, valid_from=D(2022, 1, 1), defaults={"officers": officers}
            )


@transaction.atomic
def load_registry_demo() -> dict[str, int]:
    """Write the demo registry (idempotent); returns how many rows of each sort were created."""
    from mediation.models import (
        Appointment,
        MediationOrganization,
        Mediator,
        Region,
        StatusChange,
        TrainingAttendance,
        Unit,
    )
    from mediation.services.reference import district_region
    from mediation.services.registry import load_registry_defaults

    district = district_region()
    streets = list(
        Region.objects.filter(parent=district, level=RegionLevel.STREET)
        .order_by("code")
        .values_list("code", "name")
    )
    communities = list(
        Region.objects.filter(parent__parent=district, level=RegionLevel.COMMUNITY, is_demo=True)
        .order_by("code")
        .values_list("code", "name", "parent__code")
    )
    created = {"organizations": 0, "mediators": 0, "appointments": 0, "trainings": 0, "attendance": 0}
    load_registry_defaults()
    _units(district, streets)
    plan = Planner(streets, communities).build()

    regions = {r.code: r for r in Region.objects.subtree(district, include_self=True)}
    units = {u.code: u for u in Unit.objects.all()}
    mediators = []
    for p in plan.people:
        mediator, was_created = Mediator.objects.get_or_create(
            id_number=p.id_number,
            defaults={
                "name": p.name,
                "gender": p.gender,
                "phone": p.phone,
                "birth_year": p.birth_year,
                "education": p.education,
                "is_party_member": p.is_party_member,
                "backgrounds": p.backgrounds,
                "qualifications": p.qualifications,
                "region": regions[p.region_code],
                "is_demo": True,
            },
        )
        mediators.append(mediator)
        created["mediators"] += was_created
    orgs = {}
    for o in plan.orgs:
        org, was_created = MediationOrganization.objects.get_or_create(
            region=regions[o.region_code],
            kind=o.kind,
            name=o.name,
            defaults={
                "host_unit": units.get(o.host) if o.host else None,
                "hosted_in": orgs.get(o.hosted_in),
                "fields": [str(f) for f in o.fields],
                "established_on": o.established_on,
                "has_party_organization": o.has_party_organization,
                "online_capable": o.online_capable,
                "is_foreign_related": o.is_foreign_related,
                "address": o.address,
                "named_after": mediators[o.named_after] if o.named_after is not None else None,
                "is_demo": True,
            },
        )
        orgs[o.name] = org
        created["organizations"] += was_created
        for post in o.posts:
            _appointment, was_created = Appointment.objects.get_or_create(
                mediator=mediators[post.person],
                organization=org,
                started_on=post.started_on,
                defaults={"role": post.role, "is_full_time": post.is_full_time, "ended_on": post.ended_on},
            )
            created["appointments"] += was_created
    _link_demo_account(orgs, plan)
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if admin is not None and not StatusChange.objects.filter(mediator__is_demo=True).exists():
        _history(plan, mediators, orgs, admin)
    if admin is not None:
        _experts(plan, mediators, admin)
    before = TrainingAttendance.objects.count()
    created["trainings"] = _trainings(plan, mediators, regions, units, district)
    created["attendance"] = TrainingAttendance.objects.count() - before
    return created


def _link_demo_account(orgs, plan) -> None:
    """The demo account "mediator" is the director of 新山村演示一社区's committee."""
    from mediation.models import Mediator

    user = get_user_model().objects.filter(username="mediator").first()
    org = next(
        (o for o in orgs.values() if o.region.code == "500104001901" and o.kind == "community_committee"),
        None,
    )
    if user is None or org is None or Mediator.objects.filter(user=user).exists():
        return
    director = org.appointments.order_by("pk").first()
    if director is not None:
        Mediator.objects.filter(pk=director.mediator_id).update(user=user)


def _history(plan, mediators, orgs, admin) -> None:
    """Appointments that ended and were filled again, and the discipline log: one suspended then
    reinstated, one dismissed, one suspended now."""
    from mediation.models import Appointment, StatusChange
    from mediation.services.registry import appoint, end_appointment, record_status_change

    today = timezone.localdate()
    year = today.year
    rng = random.Random(SEED + 1)
    # Full-time mediators of two street committees left last summer; in the first, a part-time member
    # became full-time in September, the second has stayed short since.
    street_committees = [o for o in orgs.values() if o.kind == OrganizationKind.STREET_COMMITTEE]
    for number, org in enumerate(rng.sample(street_committees, 2)):
        appointment = (
            Appointment.objects.filter(organization=org, is_full_time=True, ended_on__isnull=True)
            .order_by("-started_on", "-pk")
            .first()
        )
        if appointment is None or appointment.started_on >= D(year - 1, 6, 30):
            continue
        end_appointment(appointment, D(year - 1, 6, 30), by=admin)
        part_time = (
            Appointment.objects.filter(organization=org, is_full_time=False, ended_on__isnull=True)
            .filter(started_on__lt=D(year - 1, 8, 31))
            .order_by("pk")
            .first()
        )
        if number == 0 and part_time is not None:
            end_appointment(part_time, D(year - 1, 9, 1), by=admin)
            appoint(
                part_time.mediator,
                org,
                started_on=D(year - 1, 9, 1),
                role=part_time.role,
                is_full_time=True,
                by=admin,
            )
    candidates = [m for m in mediators if m.appointments.filter(role=AppointmentRole.MEDIATOR).exists()]
    suspended_then, dismissed, suspended_now = rng.sample(candidates, 3)
    record_status_change(
        suspended_then,
        MediatorStatus.SUSPENDED,
        StatusChange.Ground.PARTIAL,
        D(year - 1, 3, 10),
        "当事人投诉调解中偏袒一方，经核实暂停履职。",
        admin,
    )
    record_status_change(
        suspended_then,
        MediatorStatus.ACTIVE,
        StatusChange.Ground.REINSTATED,
        D(year - 1, 9, 1),
        "经培训考核合格，恢复履职。",
        admin,
    )
    dismissed_on = min(D(year, 4, 15), today)
    record_status_change(
        dismissed,
        MediatorStatus.DISMISSED,
        StatusChange.Ground.GIFTS,
        dismissed_on,
        "收受当事人财物，经调解委员会讨论予以解聘。",
        admin,
    )
    for appointment in dismissed.appointments.filter(ended_on__isnull=True, started_on__lt=dismissed_on):
        end_appointment(appointment, dismissed_on, by=admin)
    record_status_change(
        suspended_now,
        MediatorStatus.SUSPENDED,
        StatusChange.Ground.INSULTING,
        min(D(year, 10, 8), today),
        "调解中言语不当，暂停履职待处理。",
        admin,
    )


def _experts(plan, mediators, admin) -> None:
    """About twenty experts from the industry organizations, the lawyers and the counsellors."""
    from mediation.models import ExpertMembership, Mediator
    from mediation.services.registry import join_expert_pool, leave_expert_pool

    rng = random.Random(SEED + 2)
    chosen = []
    for org in plan.industry:
        # Most industry organizations get an expert among their people (task 18), not all.
        if rng.random() < 0.75:
            chosen.append((org.posts[rng.randrange(len(org.posts))].person, org.fields))
    for org in plan.orgs:
        if org.kind in {OrganizationKind.LAWYER, OrganizationKind.PSYCHOLOGICAL, OrganizationKind.COMMERCIAL}:
            chosen.append((org.posts[0].person, org.fields or [MediationField.COMMERCE]))
    status = dict(Mediator.objects.filter(is_demo=True).values_list("pk", "status"))
    for number, (index, specialties) in enumerate(chosen):
        mediator = mediators[index]
        if status.get(mediator.pk) != MediatorStatus.ACTIVE:
            continue
        if ExpertMembership.objects.filter(mediator=mediator).exists():
            continue
        membership = join_expert_pool(
            mediator,
            [str(s) for s in specialties],
            D(rng.randint(2021, 2025), rng.randint(1, 12), 1),
            expertise=rng.choice(["", "调解技巧", "法律咨询", "专业鉴定", "政策解读"]),
            by=admin,
        )
        if number == 3 and membership.joined_on.year < 2025:
            leave_expert_pool(membership, D(2025, 12, 31), by=admin)


# Street trainings per year, per street/town in code order (task 17 asks for 2).
STREET_TRAININGS = {0: [2, 1, 3, 0, 2, 2, 1, 2], -1: [2, 3, 1, 2, 2, 0, 2, 1]}


def _trainings(plan, mediators, regions, units, district) -> int:
    from mediation.models import StatusChange, Training, TrainingAttendance

    today = timezone.localdate()
    rng = random.Random(SEED + 3)
    planned = []
    for offset in (-1, 0):
        year = today.year + offset
        planned.append(
            (
                district,
                TrainingLevel.DISTRICT,
                units.get("sfj"),
                D(year, 6, 12),
                f"{year}年全区人民调解员集中培训",
                6,
            )
        )
        if offset == -1:
            planned.append(
                (
                    district,
                    TrainingLevel.DISTRICT,
                    units.get("sfj"),
                    D(year, 10, 15),
                    f"{year}年行业性专业性调解业务培训",
                    4,
                )
            )
        for index, (code, name) in enumerate(plan.streets):
            for n in range(STREET_TRAININGS[offset][index % 8]):
                planned.append(
                    (
                        regions[code],
                        TrainingLevel.STREET,
                        units.get(f"gov-{code}"),
                        D(year, 3 + 4 * n, 10 + index),
                        f"{year}年{name}人民调解员第{n + 1}期集中培训",
                        3,
                    )
                )
    paths = [regions[p.region_code].path for p in plan.people]
    dismissed = dict(
        StatusChange.objects.filter(mediator__in=mediators, status=MediatorStatus.DISMISSED).values_list(
            "mediator_id", "effective_on"
        )
    )
    created = 0
    for region, level, organizer, held_on, title, hours in planned:
        # Attendees are drawn whatever exists, so the generator stays in step between runs.
        if region.level == RegionLevel.DISTRICT:
            pool, k = mediators, 70
        else:
            pool = [m for m, path in zip(mediators, paths, strict=True) if path.startswith(region.path)]
            k = int(len(pool) * 0.6)
        attendees = rng.sample(pool, k=min(len(pool), k))
        attendees = [m for m in attendees if dismissed.get(m.pk, held_on + dt.timedelta(days=1)) > held_on]
        if held_on > today or organizer is None:
            continue
        training = Training.objects.filter(region=region, title=title, held_on__year=held_on.year).first()
        if training is None:
            training = Training.objects.create(
                region=region,
                level=level,
                organizer=organizer,
                held_on=held_on,
                title=title,
                hours=Decimal(hours),
                is_demo=True,
            )
            created += 1
        TrainingAttendance.objects.bulk_create(
            [TrainingAttendance(training=training, mediator=m) for m in attendees],
            ignore_conflicts=True,
        )
    return created
