"""The office's default configuration: categories with their 属事 units, time limits, risk and routing rules.

Idempotent: existing rows (which the office may have edited) are left as they are; missing ones are added.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from disputes.choices import DayType, HandlingLevel, RiskFlag, RiskGrade

# (code, name, unit codes, named by the plan) — the 司法部 statistical classes, then the plan's fields.
CATEGORIES = [
    ("marriage_family", "婚姻家庭", ["fl"], True),
    ("neighbourhood", "邻里", [], False),
    ("housing_land", "房屋宅基地", ["ghzy"], False),
    ("contract", "合同", ["scj"], False),
    ("business", "生产经营", ["scj"], False),
    ("damages", "损害赔偿", [], False),
    ("forest_land", "山林土地", ["ghzy"], False),
    ("expropriation", "征地拆迁", ["ghzy"], True),
    ("pollution", "环境污染", ["sthj"], True),
    ("labour", "劳动争议", ["rsj"], True),
    ("consumer", "消费", ["scj"], True),
    ("medical", "医疗", ["wjw"], True),
    ("traffic", "道路交通事故", ["gaj"], True),
    ("property_management", "物业", ["zjw"], True),
    ("other", "其他", [], False),
    ("city_management", "城市管理", ["cgj"], True),
    ("construction", "建筑施工", ["zjw"], True),
    ("tourism", "旅游", ["wlw"], True),
    ("commerce", "商务", ["swj"], True),
    ("intellectual_property", "知识产权", ["scj"], True),
    ("internet", "互联网", ["dsj"], True),
    ("migrant_wages", "拖欠农民工工资", ["rsj", "zjw"], True),
]

TIME_LIMITS = [
    ("handling_simple", 1, DayType.WORKING),
    ("handling_general", 7, DayType.WORKING),
    ("handling_complex", 20, DayType.WORKING),
    ("acceptance", 1, DayType.WORKING),
    ("mediation", 30, DayType.CALENDAR),
    ("supervision_answer", 3, DayType.WORKING),
    ("judicial_confirmation", 30, DayType.CALENDAR),
]

RISK_RULES = [
    # name, grade, conditions
    ("可能引发个人极端案(事)件", RiskGrade.RED, {"flag": RiskFlag.EXTREME_ACT}),
    ("可能引发群体性事件", RiskGrade.RED, {"flag": RiskFlag.MASS_INCIDENT}),
    ("可能民转刑、刑转命", RiskGrade.RED, {"flag": RiskFlag.CIVIL_TO_CRIMINAL}),
    ("涉及50人以上", RiskGrade.RED, {"min_people": 50}),
    ("涉及10人以上", RiskGrade.ORANGE, {"min_people": 10}),
    ("涉及金额100万元以上", RiskGrade.ORANGE, {"min_amount": Decimal("1000000")}),
    ("重复纠纷3次以上", RiskGrade.ORANGE, {"min_repeat_disputes": 3}),
    ("反复信访", RiskGrade.ORANGE, {"flag": RiskFlag.REPEATED_PETITION}),
    ("涉及跨部门", RiskGrade.YELLOW, {"flag": RiskFlag.CROSS_UNIT}),
    ("涉及5人以上", RiskGrade.YELLOW, {"min_people": 5}),
    ("涉及金额10万元以上", RiskGrade.YELLOW, {"min_amount": Decimal("100000")}),
    ("当事人属特殊群体", RiskGrade.YELLOW, {"vulnerable_party": True}),
    ("重复纠纷", RiskGrade.YELLOW, {"min_repeat_disputes": 1}),
    ("特殊敏感时期", RiskGrade.YELLOW, {"in_sensitive_period": True}),
]

ROUTING_RULES = [
    # name, priority, conditions
    (
        "红色纠纷由区级平台统筹并明确包案领导",
        10,
        {"max_grade": RiskGrade.RED, "level": HandlingLevel.DISTRICT, "needs_leader": True},
    ),
    ("跨部门纠纷由区级平台统筹", 20, {"cross_unit": True, "level": HandlingLevel.DISTRICT}),
    ("橙色纠纷由镇街平台统筹", 30, {"max_grade": RiskGrade.ORANGE, "level": HandlingLevel.STREET}),
    ("其他纠纷由村(社区)平台就地化解", 100, {"level": HandlingLevel.COMMUNITY}),
]


@transaction.atomic
def load_defaults() -> dict[str, int]:
    from disputes.models import Category, RiskRule, RoutingRule, TimeLimit
    from mediation.models import Unit

    created = {"categories": 0, "time_limits": 0, "risk_rules": 0, "routing_rules": 0}
    units = {u.code: u for u in Unit.objects.all()}
    for order, (code, name, unit_codes, plan_field) in enumerate(CATEGORIES):
        category, new = Category.objects.get_or_create(
            code=code, defaults={"name": name, "is_plan_field": plan_field, "sort_order": order}
        )
        if new:
            category.units.set([units[c] for c in unit_codes if c in units])
            created["categories"] += 1
    for key, days, day_type in TIME_LIMITS:
        created["time_limits"] += TimeLimit.objects.get_or_create(
            key=key, defaults={"days": days, "day_type": day_type}
        )[1]
    for name, grade, conditions in RISK_RULES:
        created["risk_rules"] += RiskRule.objects.get_or_create(
            name=name, defaults={"grade": grade, **conditions}
        )[1]
    for name, priority, conditions in ROUTING_RULES:
        created["routing_rules"] += RoutingRule.objects.get_or_create(
            name=name, defaults={"priority": priority, **conditions}
        )[1]
    return created
