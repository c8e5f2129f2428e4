"""The municipal structure the disputes happen in: 重庆市 with its 38 districts and counties, their streets/towns,
communities/villages and grids; the units of each district; the mediation organizations; the staff with their
memberships; and the registry (mediators, appointments, the expert pool, trainings, headcounts).

Dadukou (settings.DISTRICT_CODE) is the district the reference data loaded: its real streets and units are
used as they are, and communities and grids are added under them like everywhere else. The other districts
carry their real division codes and names; their streets, communities and grids are generated (marked
is_demo, as the demo's are). Each district gets the same units as Dadukou, named after it ("万州区公安分局"), but
they are not members of the working group and have no aliases, so the task plan (Dadukou's) still resolves
its unit names to Dadukou's units only.

Users are named after their post: office-500104, supervisor-500104001, dispatcher-500104001901,
mediator-500104001901, grid-500104001901-001 … (all with the password BENCH_PASSWORD).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from disputes.loadgen import names
from disputes.loadgen.clock import day_number

BENCH_PASSWORD = "Dadukou-bench-2026"

# The districts and counties of 重庆市 (统计用区划代码) with a rough population in 10,000s, which weighs how many
# disputes each has. Dadukou's weight is set from --home-share instead.
DISTRICTS = [
    ("500101", "万州区", 156),
    ("500102", "涪陵区", 111),
    ("500103", "渝中区", 59),
    ("500104", "大渡口区", 42),
    ("500105", "江北区", 93),
    ("500106", "沙坪坝区", 147),
    ("500107", "九龙坡区", 152),
    ("500108", "南岸区", 120),
    ("500109", "北碚区", 84),
    ("500110", "綦江区", 75),
    ("500111", "大足区", 83),
    ("500112", "渝北区", 219),
    ("500113", "巴南区", 118),
    ("500114", "黔江区", 49),
    ("500115", "长寿区", 69),
    ("500116", "江津区", 136),
    ("500117", "合川区", 124),
    ("500118", "永川区", 115),
    ("500119", "南川区", 57),
    ("500120", "璧山区", 76),
    ("500151", "铜梁区", 69),
    ("500152", "潼南区", 69),
    ("500153", "荣昌区", 67),
    ("500154", "开州区", 120),
    ("500155", "梁平区", 65),
    ("500156", "武隆区", 35),
    ("500229", "城口县", 20),
    ("500230", "丰都县", 55),
    ("500231", "垫江县", 65),
    ("500233", "忠县", 72),
    ("500235", "云阳县", 93),
    ("500236", "奉节县", 74),
    ("500237", "巫山县", 46),
    ("500238", "巫溪县", 39),
    ("500240", "石柱土家族自治县", 39),
    ("500241", "秀山土家族苗族自治县", 50),
    ("500242", "酉阳土家族苗族自治县", 61),
    ("500243", "彭水苗族土家族自治县", 55),
]
PLACE_WORDS = (
    "新华 解放 人民 和平 建设 胜利 光明 东风 红旗 朝阳 龙湖 南山 北城 西城 东城 滨江 长江 嘉陵 白沙 石桥 龙泉 天星 "
    "金凤 玉峰 铜锣 双龙 凤鸣 青山 华岩 石坪 沙河 桃源 杨家 李家 陈家 黄桷 观音 龙门 石门 高峰 太平 永兴 安澜 平安 "
    "福寿 长生 兴隆 大石 中和 清溪 回龙 万顺 三合 同心 仁和 双河 新桥 古镇 响水 马鞍 柏林 松林 竹林 桂花 梨树 桃花 "
    "新民 兴隆 白马 金龙 银河 清平 永安 顺和 六合 八角 九龙 十里 花园 荷花 龙凤 鹿角 鸳鸯 红岩 沙坪 童家 复兴 元和 "
    "广阳 鱼洞 龙洲 界石 木洞 丰收 迎龙 南彭 石滩 东泉 姜家 一品 二圣 天府 狮子 长坪 草坪 高桥 石盘 云雾 飞龙 跳石"
).split()
KEY_DEPARTMENTS = ["gaj", "zjw", "ghzy", "sthj", "scj"]  # mediation.indicators.KEY_DEPARTMENTS


@dataclass(eq=False)
class User:
    id: int
    username: str
    name: str


@dataclass(eq=False)
class Unit:
    id: int
    code: str
    name: str
    kind: str
    region: Place
    members: list[User] = field(default_factory=list)


@dataclass(eq=False)
class Org:
    id: int
    name: str
    kind: str
    region: Place
    members: list[User] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Place:
    """A region with what the generator needs of it."""

    id: int
    code: str
    name: str
    level: int
    kind: str
    path: str
    parent: Place | None
    district: District | None = None
    street: Place | None = None
    community: Place | None = None
    children: list[Place] = field(default_factory=list)
    platform: Org | None = None
    committee: Org | None = None
    staff: dict[str, list[User]] = field(default_factory=dict)

    def one(self, role: str) -> User | None:
        users = self.staff.get(role)
        return users[0] if users else None

    @property
    def full_name(self) -> str:
        """Region.full_name: the names below the district."""
        parts, place = [], self
        while place is not None and place.level > 2:
            parts.append(place.name)
            place = place.parent
        return " / ".join(reversed(parts)) or self.name


@dataclass(eq=False)
class District:
    place: Place
    weight: float
    units: dict[str, Unit] = field(default_factory=dict)
    streets: list[Place] = field(default_factory=list)
    grids: list[Place] = field(default_factory=list)
    communities: list[Place] = field(default_factory=list)
    orgs: dict[str, list[Org]] = field(default_factory=dict)
    police_stations: list[Unit] = field(default_factory=list)
    court: Unit | None = None
    mediators: list[int] = field(default_factory=list)  # registry Mediator ids
    api_client: User | None = None

    @property
    def code(self) -> str:
        return self.place.code


@dataclass
class Fanout:
    districts: int = 38
    streets: int = 10
    communities: int = 10
    grids: int = 5


class World:
    """Builds the structure through the loader's writers and keeps what the disputes need of it."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng("world")
        self.districts: list[District] = []
        self.users: list[User] = []
        self.units_by_id: dict[int, Unit] = {}
        self.orgs_by_id: dict[int, Org] = {}
        self.places_by_id: dict[int, Place] = {}
        self._names_taken: set[str] = set()
        self._mediator_serial = 0
        self.city: Place | None = None

    # --- regions --------------------------------------------------------------------------------------------

    def read_existing(self) -> None:
        """What the reference data holds already: the city, the home district, its streets and units. Read
        before the bulk load takes its locks."""
        from mediation.models import Region
        from mediation.models import Unit as UnitModel

        self._existing_regions = {r.code: r for r in Region.objects.filter(level__lte=3)}
        self._existing_units = list(UnitModel.objects.filter(region__code=settings.DISTRICT_CODE))
        self._governments = {u.code: u for u in UnitModel.objects.filter(kind="street_government")}

    def build(self) -> None:
        ctx = self.ctx
        existing = self._existing_regions
        city_row = next(r for r in existing.values() if r.level == 1)
        self.city = Place(city_row.pk, city_row.code, city_row.name, 1, city_row.kind, city_row.path, None)
        home_code = settings.DISTRICT_CODE
        chosen = [d for d in DISTRICTS if d[0] == home_code]
        others = [d for d in DISTRICTS if d[0] != home_code][: max(0, ctx.fanout.districts - 1)]
        other_weight = sum(w for _c, _n, w in others) or 1
        for code, name, weight in chosen + others:
            if code == home_code:
                row = existing[code]
                share = ctx.home_share if others else 1.0
                place = Place(row.pk, code, row.name, 2, row.kind, row.path, self.city)
            else:
                share = (1 - ctx.home_share) * weight / other_weight
                place = self._region(self.city, code, name, 2, "district", demo=False)
            district = District(place, share)
            place.district = district
            self.districts.append(district)
            self._units(district, home=code == home_code, existing=self._existing_units)
            self._streets(district, existing if code == home_code else None)
        self._staff_and_organizations()

    def _region(self, parent: Place, code: str, name: str, level: int, kind: str, demo=True, rural=""):
        place_id = self.ctx.ids.next("mediation.Region")
        place = Place(place_id, code, name, level, kind, f"{parent.path}{place_id}/", parent)
        place.district = parent.district
        parent.children.append(place)
        self.places_by_id[place_id] = place
        self.ctx.w("mediation.Region").add(
            id=place_id,
            code=code,
            name=name,
            level=level,
            kind=kind,
            parent_id=parent.id,
            path=place.path,
            urban_rural_code=rural,
            is_demo=demo,
        )
        return place

    def _unique_name(self, suffixes: list[str]) -> str:
        rng = self.rng
        for _attempt in range(200):
            name = rng.choice(PLACE_WORDS) + rng.choice(suffixes)
            if name not in self._names_taken:
                self._names_taken.add(name)
                return name
        name = rng.choice(PLACE_WORDS) + rng.choice(PLACE_WORDS) + rng.choice(suffixes)
        self._names_taken.add(name)
        return name

    def _streets(self, district: District, existing) -> None:
        fan = self.ctx.fanout
        rng = self.rng
        if existing is not None:
            streets = []
            for row in sorted(
                (r for r in existing.values() if r.level == 3 and r.parent_id == district.place.id),
                key=lambda r: r.code,
            ):
                place = Place(row.pk, row.code, row.name, 3, row.kind, row.path, district.place, district)
                district.place.children.append(place)
                self.places_by_id[place.id] = place
                self._names_taken.add(row.name)
                streets.append(place)
        else:
            streets = []
            for n in range(fan.streets):
                town = n >= fan.streets * 0.6
                code = f"{district.code}{(101 + n - int(fan.streets * 0.6)) if town else (1 + n):03d}"
                name = self._unique_name(["镇"] if town else ["街道", "路街道"])
                streets.append(self._region(district.place, code, name, 3, "town" if town else "street"))
        for street in streets:
            street.street = street
            district.streets.append(street)
            for n in range(fan.communities):
                village = street.kind == "town" and rng.random() < 0.5
                name = self._unique_name(["村"] if village else ["社区", "路社区", "苑社区"])
                community = self._region(
                    street,
                    f"{street.code}{900 + n + 1:03d}",
                    name,
                    4,
                    "village" if village else "community",
                    rural="220" if village else "111",
                )
                community.street, community.community = street, community
                district.communities.append(community)
                for g in range(1, fan.grids + 1):
                    grid = self._region(
                        community, f"{community.code}-{g:03d}", _("Grid %(n)s") % {"n": g}, 5, "grid"
                    )
                    grid.street, grid.community = street, community
                    district.grids.append(grid)

    # --- units ----------------------------------------------------------------------------------------------

    def _units(self, district: District, home: bool, existing) -> None:
        """The district's units: Dadukou's as loaded; the others' cloned from them; police stations, tribunals
        and a petition hall for every district."""
        ctx = self.ctx
        place = district.place
        if home:
            for row in (u for u in existing if u.kind != "street_government"):
                unit = Unit(row.pk, row.code, row.name, row.kind, place)
                district.units[row.code] = unit
                self.units_by_id[unit.id] = unit
        else:
            for code, name, kind in ctx.reference_units:
                unit_name = (
                    place.name + name.removeprefix("区") if name.startswith("区") else place.name + name
                )
                unit = self._unit(district, f"{code}-{place.code}", unit_name, kind, place)
                district.units[code] = unit
        court = district.units["fy"]
        district.court = court
        suffix = "" if home else f"-{place.code}"
        short = place.name if not home else "区"
        hall = self._unit(
            district,
            f"xfzx{suffix}",
            f"{place.name if not home else '区'}信访接待中心",
            "petition_hall",
            place,
        )
        district.units["xfzx"] = hall
        for n in range(1, 3):
            tribunal = self._unit(
                district, f"fy-ft{n}{suffix}", f"{short}人民法院第{n}人民法庭", "court", place, parent=court
            )
            district.units[f"fy-ft{n}"] = tribunal

    def _unit(self, district, code, name, kind, region: Place, parent: Unit | None = None, short_name=""):
        unit_id = self.ctx.ids.next("mediation.Unit")
        unit = Unit(unit_id, code, name, kind, region)
        self.units_by_id[unit_id] = unit
        self.ctx.w("mediation.Unit").add(
            id=unit_id,
            code=code,
            name=name,
            short_name=short_name,
            kind=kind,
            region_id=region.id,
            parent_id=parent.id if parent else None,
            is_member_unit=False,
        )
        return unit

    def _street_units(self, district: District) -> None:
        """A government per generated street (Dadukou's come with the reference data) and a police station each."""
        home = district.code == settings.DISTRICT_CODE
        governments = self._governments if home else {}
        rng = self.rng
        for street in district.streets:
            code = f"gov-{street.code}"
            if code in governments:
                row = governments[code]
                unit = Unit(row.pk, row.code, row.name, row.kind, street)
                self.units_by_id[unit.id] = unit
            else:
                suffix = "办事处" if street.kind == "street" else "人民政府"
                unit = self._unit(
                    district,
                    code,
                    f"{street.name}{suffix}",
                    "street_government",
                    street,
                    short_name=street.name,
                )
            district.units[code] = unit
            # Street names are unique in the city, so "<district><street>派出所" is a unique unit name.
            if district.code == settings.DISTRICT_CODE:
                station_name = "区公安分局" + street.name.removesuffix("街道").removesuffix("镇") + "派出所"
            else:
                station_name = f"{district.place.name}{street.name}派出所"
            station = self._unit(
                district,
                f"pcs-{street.code}",
                station_name,
                "police_station",
                district.place,
                parent=district.units["gaj"],
            )
            district.police_stations.append(station)
            self.ctx.w("mediation.UnitHeadcount").add(
                id=self.ctx.ids.next("mediation.UnitHeadcount"),
                unit_id=station.id,
                officers=rng.choice([12, 16, 18, 21, 24, 28, 32, 36, 45]),
                valid_from=self.ctx.clock.date_text(self.ctx.first_day - 400),
            )

    # --- organizations and staff ----------------------------------------------------------------------------

    def _org(
        self,
        district: District,
        name,
        kind,
        region: Place,
        *,
        host: Unit | None = None,
        hosted_in=None,
        fields=(),
        named_after=None,
    ) -> Org:
        ctx = self.ctx
        rng = self.rng
        org_id = ctx.ids.next("mediation.MediationOrganization")
        org = Org(org_id, name, kind, region, fields=list(fields))
        self.orgs_by_id[org_id] = org
        district.orgs.setdefault(kind, []).append(org)
        ctx.w("mediation.MediationOrganization").add(
            id=org_id,
            name=name,
            kind=kind,
            region_id=region.id,
            host_unit_id=host.id if host else None,
            hosted_in_id=hosted_in.id if hosted_in else None,
            fields=list(fields),
            named_after_id=named_after,
            has_party_organization=rng.random() < 0.4,
            online_capable=rng.random() < 0.6,
            contact_person=names.person_name(rng),
            established_on=ctx.clock.date_text(ctx.first_day - rng.randrange(30, 1500)),
            address=names.address(rng, region.name),
            phone=names.landline(rng),
            is_demo=True,
        )
        return org

    def _user(
        self,
        username: str,
        role: str,
        *,
        region: Place | None = None,
        unit: Unit | None = None,
        org: Org | None = None,
        title: str = "",
        staff: bool = False,
    ) -> User:
        ctx = self.ctx
        user = User(ctx.ids.next("auth.User"), username, names.person_name(self.rng))
        self.users.append(user)
        joined = ctx.first_day - 60 - self.rng.randrange(0, 400)
        ctx.w("auth.User").add(
            id=user.id,
            password=ctx.password_hash,
            username=username,
            first_name=user.name,
            last_name="",
            email="",
            is_staff=staff,
            date_joined=ctx.clock.ts(ctx.clock.day_start(joined) + 9 * 3600),
        )
        self.grant(user, role, region=region, unit=unit, org=org, title=title, day=joined)
        return user

    def grant(self, user: User, role: str, *, region=None, unit=None, org=None, title="", day: int) -> None:
        """A membership, as mediation.services.memberships.grant leaves it (users are not put in role groups:
        rights come from current memberships, mediation.backends)."""
        ctx = self.ctx
        ctx.w("mediation.Membership").add(
            id=ctx.ids.next("mediation.Membership"),
            user_id=user.id,
            role=role,
            region_id=region.id if region else None,
            unit_id=unit.id if unit else None,
            organization_id=org.id if org else None,
            title=title,
            started_on=ctx.clock.date_text(day),
        )
        anchor = region or unit or org
        if isinstance(anchor, Place):
            anchor.staff.setdefault(role, []).append(user)
        else:
            anchor.members.append(user)

    def _staff_and_organizations(self) -> None:
        from mediation.choices import INDUSTRY_FIELDS, ROOM_FIELDS

        rng = self.rng
        for district in self.districts:
            self._street_units(district)
            place = district.place
            d = district.code
            district.place.platform = self._org(
                district, f"{place.name}矛盾纠纷综合调处中心", "platform", place
            )
            centre = self._org(district, f"{place.name}重大矛盾纠纷人民调解委员会", "major_centre", place)
            industry_fields = rng.sample(INDUSTRY_FIELDS, k=min(len(INDUSTRY_FIELDS), rng.randrange(8, 13)))
            for f in industry_fields:
                self._org(
                    district,
                    f"{place.name}{_field_name(f)}调解室",
                    "industry_room",
                    place,
                    hosted_in=centre,
                    fields=[f],
                )
            for f in rng.sample(INDUSTRY_FIELDS, k=3):
                self._org(
                    district,
                    f"{place.name}{_field_name(f)}人民调解委员会",
                    "industry_committee",
                    place,
                    fields=[f],
                )
            for unit in [district.court, district.units["fy-ft1"], district.units["fy-ft2"]]:
                self._org(district, f"{unit.name}诉调对接调解室", "court_room", place, host=unit)
            for station in district.police_stations:
                if rng.random() < 0.75:
                    self._org(district, f"{station.name}警调对接调解室", "police_room", place, host=station)
            self._org(
                district,
                f"{place.name}信访事项人民调解室",
                "petition_room",
                place,
                host=district.units["xfzx"],
            )
            for code in KEY_DEPARTMENTS:
                if rng.random() < 0.8:
                    unit = district.units[code]
                    self._org(district, f"{unit.name}行政调解室", "administrative_room", place, host=unit)
            for f in rng.sample(ROOM_FIELDS, k=rng.randrange(3, len(ROOM_FIELDS) + 1)):
                self._org(
                    district, f"{place.name}{_field_name(f)}人民调解工作室", "field_room", place, fields=[f]
                )
            # Staff of the district.
            office = district.units["office"]
            self._user(f"office-{d}", "office_admin", unit=office, title="办公室主任", staff=True)
            self._user(f"supervisor-{d}", "supervisor", region=place, title="分管副区长")
            self._user(f"auditor-{d}", "auditor", region=place)
            district.api_client = self._user(f"api-{d}", "api_client", region=place)
            for n in (1, 2):
                self._user(f"dispatcher-{d}-{n}", "dispatcher", org=place.platform, title="坐席员")
            # A liaison in every unit of the reference data but the office: they take assignments and report on
            # the plan's rows.
            for code, _name, _kind in self.ctx.reference_units:
                if code != "office":
                    self._user(f"liaison-{d}-{code}", "liaison", unit=district.units[code], title="联络员")
            for room in district.orgs["industry_room"][:4] + [centre]:
                self._user(f"mediator-{d}-{room.id}", "mediator", org=room, title="专职调解员")
            for street in district.streets:
                s = street.code
                street.platform = self._org(
                    district, f"{street.name}矛盾纠纷综合调处平台", "platform", street
                )
                street.committee = self._org(
                    district, f"{street.name}人民调解委员会", "street_committee", street
                )
                if rng.random() < 0.3:
                    self._org(
                        district,
                        f"{names.company(rng, street.name)}人民调解委员会",
                        "enterprise_committee",
                        street,
                        host=district.units[f"gov-{s}"],
                    )
                self._user(f"supervisor-{s}", "supervisor", region=street, title="分管领导")
                self._user(f"dispatcher-{s}", "dispatcher", org=street.platform, title="坐席员")
                self._user(f"mediator-{s}", "mediator", org=street.committee, title="调委会主任")
                for community in street.children:
                    c = community.code
                    community.platform = self._org(
                        district, f"{community.name}矛盾纠纷调处平台", "platform", community
                    )
                    community.committee = self._org(
                        district, f"{community.name}人民调解委员会", "community_committee", community
                    )
                    self._user(f"mediator-{c}", "mediator", region=community, title="人民调解员")
                    self._user(f"dispatcher-{c}", "dispatcher", org=community.platform, title="坐席员")
                    for grid in community.children:
                        self._user(f"grid-{grid.code}", "grid_worker", region=grid, title="专职网格员")
        self._registry()

    # --- the registry ---------------------------------------------------------------------------------------

    def _mediator(
        self, district: District, region: Place, *, user: User | None = None, name: str = ""
    ) -> int:
        ctx = self.ctx
        rng = self.rng
        from mediation.choices import Background

        self._mediator_serial += 1
        mediator_id = ctx.ids.next("mediation.Mediator")
        birth = ctx.clock.date(day_number(dt.date(1955, 1, 1)) + self._mediator_serial // 1000 % 15000)
        gender = "female" if rng.random() < 0.45 else "male"
        backgrounds = rng.sample(list(Background.values), k=rng.choice([0, 1, 1, 1, 2]))
        ctx.w("mediation.Mediator").add(
            id=mediator_id,
            name=user.name if user else (name or names.person_name(rng)),
            gender=gender,
            id_number=names.id_number(rng, district.code, birth, sequence=self._mediator_serial),
            phone=names.mobile(rng),
            birth_year=birth.year,
            education=rng.choice(names.EDUCATION),
            is_party_member=rng.random() < 0.5,
            backgrounds=backgrounds,
            qualifications="",
            region_id=region.id,
            user_id=user.id if user else None,
            status="active",
            is_demo=True,
        )
        district.mediators.append(mediator_id)
        return mediator_id

    def _appoint(self, mediator_id: int, org: Org, role: str, full_time: bool) -> None:
        ctx = self.ctx
        ctx.w("mediation.Appointment").add(
            id=ctx.ids.next("mediation.Appointment"),
            mediator_id=mediator_id,
            organization_id=org.id,
            role=role,
            is_full_time=full_time,
            started_on=ctx.clock.date_text(ctx.first_day - self.rng.randrange(10, 900)),
            ended_on=None,
        )

    def _registry(self) -> None:
        ctx = self.ctx
        rng = self.rng
        from mediation.choices import INDUSTRY_FIELDS

        officer = None
        for district in self.districts:
            officer = district.units["office"].members[0]
            place = district.place
            for kind in (
                "major_centre",
                "industry_room",
                "industry_committee",
                "court_room",
                "police_room",
                "petition_room",
                "field_room",
                "administrative_room",
                "enterprise_committee",
            ):
                for org in district.orgs.get(kind, []):
                    for user in org.members:
                        self._appoint(self._mediator(district, place, user=user), org, "mediator", True)
                    count = {
                        "industry_committee": rng.randrange(3, 7),
                        "major_centre": rng.randrange(5, 9),
                    }.get(kind, rng.randrange(1, 4))
                    roles = ["director", "deputy_director"] + ["member"] * 7
                    for n in range(count):
                        role = (
                            roles[n]
                            if kind in ("industry_committee", "major_centre", "enterprise_committee")
                            else "mediator"
                        )
                        self._appoint(self._mediator(district, place), org, role, rng.random() < 0.6)
            for street in district.streets:
                for user in street.committee.members:
                    self._appoint(
                        self._mediator(district, street, user=user), street.committee, "director", True
                    )
                for n in range(rng.randrange(2, 6)):
                    role = ["deputy_director", "member", "member", "member", "member"][n]
                    self._appoint(
                        self._mediator(district, street), street.committee, role, rng.random() < 0.5
                    )
                for community in street.children:
                    mediator_user = community.one("mediator")
                    self._appoint(
                        self._mediator(district, community, user=mediator_user),
                        community.committee,
                        "director",
                        rng.random() < 0.7,
                    )
                    for n in range(rng.randrange(2, 5)):
                        role = ["deputy_director", "member", "member", "member"][n]
                        self._appoint(self._mediator(district, community), community.committee, role, False)
            # Brand studios named after experienced mediators, the expert pool, the discipline log.
            for n in range(rng.randrange(3, 7)):
                mediator_id = rng.choice(district.mediators)
                studio = self._org(
                    district,
                    f"{place.name}金牌调解工作室{n + 1}",
                    "brand_studio",
                    place,
                    named_after=mediator_id,
                )
                self._appoint(mediator_id, studio, "mediator", False)
            for mediator_id in rng.sample(district.mediators, k=max(1, len(district.mediators) // 20)):
                ctx.w("mediation.ExpertMembership").add(
                    id=ctx.ids.next("mediation.ExpertMembership"),
                    mediator_id=mediator_id,
                    specialties=rng.sample(INDUSTRY_FIELDS, k=rng.randrange(1, 3)),
                    expertise="",
                    joined_on=ctx.clock.date_text(ctx.first_day + rng.randrange(0, 1000)),
                )
            for mediator_id in rng.sample(district.mediators, k=max(1, len(district.mediators) // 200)):
                ctx.w("mediation.StatusChange").add(
                    id=ctx.ids.next("mediation.StatusChange"),
                    mediator_id=mediator_id,
                    status="suspended",
                    ground=rng.choice(["partial", "gifts", "leak", "other"]),
                    effective_on=ctx.clock.date_text(ctx.today - rng.randrange(10, 700)),
                    note="",
                    recorded_by_id=officer.id,
                    recorded_at=ctx.clock.ts(ctx.clock.day_start(ctx.today - 5) + 10 * 3600),
                )
                ctx.suspended_mediators.add(mediator_id)
            self._trainings(district)
        self._sensitive_periods()

    def _trainings(self, district: District) -> None:
        ctx = self.ctx
        rng = self.rng
        first_year, last_year = ctx.clock.date(ctx.first_day).year, ctx.clock.date(ctx.today).year
        sfj = district.units["sfj"]
        for year in range(first_year, last_year + 1):
            days = [
                d
                for d in (day_number(dt.date(year, m, 15)) for m in (3, 6, 9, 11))
                if ctx.first_day <= d <= ctx.today
            ]
            if days:
                for n in range(rng.choice([1, 1, 2])):
                    self._training(
                        district,
                        "district",
                        district.place,
                        sfj,
                        f"{year}年全区人民调解员集中培训（第{n + 1}期）",
                        rng.choice(days) + n,
                        district.mediators,
                    )
            for street in district.streets:
                government = district.units[f"gov-{street.code}"]
                for n in range(rng.choice([1, 2, 2, 2, 3])):
                    day = day_number(dt.date(year, 1, 10)) + rng.randrange(0, 340)
                    if ctx.first_day <= day <= ctx.today:
                        self._training(
                            district,
                            "street",
                            street,
                            government,
                            f"{year}年{street.name}调解员培训（第{n + 1}期）",
                            day,
                            district.mediators,
                        )

    def _training(self, district, level, region: Place, organizer: Unit, title, day, mediators) -> None:
        ctx = self.ctx
        rng = self.rng
        training_id = ctx.ids.next("mediation.Training")
        hours = rng.choice([2, 3, 4, 6, 8])
        ctx.w("mediation.Training").add(
            id=training_id,
            level=level,
            region_id=region.id,
            organizer_id=organizer.id,
            title=title,
            held_on=ctx.clock.date_text(day),
            hours=hours,
            is_centralized=True,
            is_demo=True,
        )
        for mediator_id in rng.sample(mediators, k=min(len(mediators), rng.randrange(10, 40))):
            ctx.w("mediation.TrainingAttendance").add(
                id=ctx.ids.next("mediation.TrainingAttendance"),
                training_id=training_id,
                mediator_id=mediator_id,
                hours=None,
            )

    def _sensitive_periods(self) -> None:
        """The two sessions (全国两会) and National Day each year, district by district."""
        ctx = self.ctx
        first_year, last_year = ctx.clock.date(ctx.first_day).year, ctx.clock.date(ctx.today).year
        ctx.sensitive_days = {}
        for year in range(first_year, last_year + 1):
            for name, start, end in (("全国两会期间", (3, 3), (3, 15)), ("国庆节期间", (9, 30), (10, 7))):
                first, last = day_number(dt.date(year, *start)), day_number(dt.date(year, *end))
                for district in self.districts:
                    ctx.w("disputes.SensitivePeriod").add(
                        id=ctx.ids.next("disputes.SensitivePeriod"),
                        name=f"{year}年{name}",
                        starts_on=ctx.clock.date_text(first),
                        ends_on=ctx.clock.date_text(last),
                        region_id=district.place.id,
                    )
                for day in range(first, last + 1):
                    ctx.sensitive_days[day] = True


def _field_name(value: str) -> str:
    from mediation.choices import MediationField

    return str(MediationField(value).label).replace("纠纷", "")
